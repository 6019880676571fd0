// The bundled examples and sample nodes. The build inlines the files as text (esbuild's text
// loader for .yaml and .json), so the page needs no request to show them, even offline.
import webService from '../examples/web-service.yaml';
import gpuInference from '../examples/gpu-inference-nvidia.yaml';
import amdTraining from '../examples/amd-training.yaml';
import systemAgent from '../examples/system-agent.yaml';
import intelTranscode from '../examples/intel-transcode.yaml';
import broken from '../examples/broken.yaml';
import composeWebDb from '../examples/compose-web-db.yaml';
import composeGpu from '../examples/compose-gpu.yaml';
import laptopIntel from '../inventories/laptop-intel.json';
import nvidia8 from '../inventories/nvidia-8gpu.json';
import nvidia8Cdi from '../inventories/nvidia-8gpu-cdi.json';
import amdMi300 from '../inventories/amd-mi300.json';
import edgeArm64 from '../inventories/edge-arm64.json';

/** Each example opens on the node it was written for. */
export const EXAMPLES = [
  { id: 'web-service', title: 'Web service + worker', node: 'edge-arm64', text: webService },
  { id: 'gpu-inference-nvidia', title: 'GPU inference on NVIDIA', node: 'nvidia-8gpu', text: gpuInference },
  { id: 'amd-training', title: 'Distributed training on AMD', node: 'amd-mi300', text: amdTraining },
  { id: 'system-agent', title: 'Privileged system agent', node: 'edge-arm64', text: systemAgent },
  { id: 'intel-transcode', title: 'Intel iGPU transcoder', node: 'laptop-intel', text: intelTranscode },
  { id: 'compose-web-db', title: 'Compose: web app + database', node: 'edge-arm64', text: composeWebDb },
  { id: 'compose-gpu', title: 'Compose: GPU inference', node: 'nvidia-8gpu', text: composeGpu },
  { id: 'broken', title: 'Broken spec (shows problems)', node: 'laptop-intel', text: broken },
];

export const NODES = [
  { id: 'laptop-intel', title: 'Laptop, Intel Iris Xe', text: laptopIntel },
  { id: 'nvidia-8gpu', title: 'Server, 8× NVIDIA H100', text: nvidia8 },
  { id: 'nvidia-8gpu-cdi', title: 'Server, 8× NVIDIA H100, with a CDI spec (driver libraries)', text: nvidia8Cdi },
  { id: 'amd-mi300', title: 'Server, 8× AMD MI300X', text: amdMi300 },
  { id: 'edge-arm64', title: 'Edge box, arm64, no GPU', text: edgeArm64 },
];
