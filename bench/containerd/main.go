// Command containerd-bench times containerd 1.6's spec generator doing bundlec's job in-process:
// the spec YAML, the inventory JSON and the options JSON (the three texts bundlec's compile_raw
// takes) in, config.json out, through oci.GenerateSpec and SpecOpts. The timing method is the one
// of bundlec's bench-loop (bench/src/bin/bench-loop.rs): warm-up, then batches of calls sized to
// about 20 ms each, median time per call over the batches.
//
// Usage:
//
//	containerd-bench DIR [--specs minimal,typical,heavy] [--batches 31] [--batch-ms 20]
//	    [--warmup-ms 300] [--modes full,generate[,parse]] [--dump OUTDIR]
//
// Modes: "full" parses the three texts on every call (what bundlec's compile_raw does);
// "generate" parses them once and times only building the SpecOpts, GenerateSpec and the JSON
// encoding; "parse" times the parsing alone (for reference). See README.md for which spec field maps to which SpecOpts.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/containerd/containerd/containers"
	"github.com/containerd/containerd/contrib/seccomp"
	"github.com/containerd/containerd/namespaces"
	"github.com/containerd/containerd/oci"
	"github.com/opencontainers/runc/libcontainer/user"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"gopkg.in/yaml.v3"
)

// ---- inputs -------------------------------------------------------------------------------------

// deployment is the ZLayer v1 document, reduced to the keys that configure a container.
type deployment struct {
	Version    string             `yaml:"version"`
	Deployment string             `yaml:"deployment"`
	Services   map[string]service `yaml:"services"`
}

type service struct {
	Image struct {
		Name string `yaml:"name"`
	} `yaml:"image"`
	Command struct {
		Entrypoint []string `yaml:"entrypoint"`
		Args       []string `yaml:"args"`
		Workdir    string   `yaml:"workdir"`
	} `yaml:"command"`
	// A yaml.Node keeps the document order, which the env list follows.
	Env          yaml.Node         `yaml:"env"`
	Resources    resources         `yaml:"resources"`
	Devices      []device          `yaml:"devices"`
	Storage      []storage         `yaml:"storage"`
	Capabilities []string          `yaml:"capabilities"`
	CapAdd       []string          `yaml:"cap_add"`
	CapDrop      []string          `yaml:"cap_drop"`
	User         string            `yaml:"user"`
	ExtraGroups  []string          `yaml:"extra_groups"`
	ReadOnlyRoot bool              `yaml:"read_only_root_fs"`
	TTY          bool              `yaml:"tty"`
	Hostname     string            `yaml:"hostname"`
	Sysctls      map[string]string `yaml:"sysctls"`
	Ulimits      map[string]struct {
		Soft uint64 `yaml:"soft"`
		Hard uint64 `yaml:"hard"`
	} `yaml:"ulimits"`
	Labels map[string]string `yaml:"labels"`
	Scale  struct {
		Mode     string `yaml:"mode"`
		Replicas int    `yaml:"replicas"`
	} `yaml:"scale"`
}

type resources struct {
	CPU               float64 `yaml:"cpu"`
	CPUShares         uint64  `yaml:"cpu_shares"`
	Cpuset            string  `yaml:"cpuset"`
	Memory            string  `yaml:"memory"`
	MemorySwap        string  `yaml:"memory_swap"`
	MemoryReservation string  `yaml:"memory_reservation"`
	MemorySwappiness  *uint64 `yaml:"memory_swappiness"`
	OOMScoreAdj       *int    `yaml:"oom_score_adj"`
	PidsLimit         int64   `yaml:"pids_limit"`
	GPU               *struct {
		Vendor      string `yaml:"vendor"`
		Count       int    `yaml:"count"`
		Distributed *struct {
			Backend    string `yaml:"backend"`
			MasterPort int    `yaml:"master_port"`
		} `yaml:"distributed"`
	} `yaml:"gpu"`
}

type device struct {
	Path  string `yaml:"path"`
	Read  *bool  `yaml:"read"`
	Write *bool  `yaml:"write"`
	Mknod bool   `yaml:"mknod"`
}

type storage struct {
	Type     string `yaml:"type"`
	Source   string `yaml:"source"`
	Name     string `yaml:"name"`
	Target   string `yaml:"target"`
	Readonly bool   `yaml:"readonly"`
	Size     string `yaml:"size"`
	Mode     string `yaml:"mode"`
}

// inventory is bundlec's host inventory (what `bundlec probe` prints), the parts used here.
type inventory struct {
	Devices []struct {
		Path     string `json:"path"`
		Type     string `json:"type"`
		Major    int64  `json:"major"`
		Minor    int64  `json:"minor"`
		FileMode uint32 `json:"fileMode"`
		UID      uint32 `json:"uid"`
		GID      uint32 `json:"gid"`
	} `json:"devices"`
	GPUs []struct {
		Vendor string   `json:"vendor"`
		Index  int      `json:"index"`
		UUID   string   `json:"uuid"`
		Nodes  []string `json:"nodes"`
	} `json:"gpus"`
	GPUShared map[string][]string `json:"gpuShared"`
}

// options carries what bundlec's request options carry for these specs: volume host paths and
// the text of the rootfs passwd and group files.
type options struct {
	Volumes map[string]string `json:"volumes"`
	Passwd  string            `json:"passwd"`
	Group   string            `json:"group"`
}

// texts are the three inputs of one compile, as bundlec's compile_raw receives them.
type texts struct {
	spec, inventory, options []byte
}

// parsed are the same inputs after parsing.
type parsed struct {
	name    string
	svc     *service
	inv     *inventory
	opts    *options
	replica int
}

func parse(t *texts) (*parsed, error) {
	var d deployment
	if err := yaml.Unmarshal(t.spec, &d); err != nil {
		return nil, fmt.Errorf("spec: %w", err)
	}
	if len(d.Services) != 1 {
		return nil, fmt.Errorf("spec: %d services, this bench compiles files with one", len(d.Services))
	}
	p := &parsed{replica: 1, inv: &inventory{}, opts: &options{}}
	for name, svc := range d.Services {
		svc := svc
		p.name, p.svc = name, &svc
	}
	if err := json.Unmarshal(t.inventory, p.inv); err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	if err := json.Unmarshal(t.options, p.opts); err != nil {
		return nil, fmt.Errorf("options: %w", err)
	}
	return p, nil
}

// ---- SpecOpts -------------------------------------------------------------------------------------

// specOpts translates a parsed service into containerd SpecOpts: containerd's own where one
// exists, a small local one where containerd 1.6 has none (named in README.md).
func specOpts(p *parsed) ([]oci.SpecOpts, error) {
	svc := p.svc
	hostname := svc.Hostname
	if hostname == "" {
		hostname = fmt.Sprintf("%s-rep-%d", p.name, p.replica)
	}
	opts := []oci.SpecOpts{
		oci.WithHostname(hostname),
		oci.WithDefaultUnixDevices,
		oci.WithLinuxNamespace(specs.LinuxNamespace{Type: specs.CgroupNamespace}),
		oci.WithMaskedPaths(maskedPaths),
		withRootfsPropagation("private"),
		oci.WithoutRunMount,
	}

	args := append(append([]string{}, svc.Command.Entrypoint...), svc.Command.Args...)
	if len(args) == 0 {
		return nil, errors.New("no command: this bench has no image config to take one from")
	}
	opts = append(opts, oci.WithProcessArgs(args...))
	if svc.Command.Workdir != "" {
		opts = append(opts, oci.WithProcessCwd(svc.Command.Workdir))
	}

	env, gpuDevices, err := gpuPlan(p, hostname)
	if err != nil {
		return nil, err
	}
	userEnv, err := envList(&svc.Env)
	if err != nil {
		return nil, err
	}
	// WithDefaultPathEnv puts PATH in front; bundlec also adds TERM=xterm, containerd does not.
	opts = append(opts, oci.WithEnv(append(append(env, userEnv...), "TERM=xterm")), oci.WithDefaultPathEnv)

	opts = append(opts, withUser(svc.User, svc.ExtraGroups, p.opts))

	r := &svc.Resources
	if r.CPU > 0 {
		opts = append(opts, oci.WithCPUCFS(int64(r.CPU*100000+0.5), 100000))
	}
	if r.CPUShares > 0 {
		opts = append(opts, oci.WithCPUShares(r.CPUShares))
	}
	if r.Cpuset != "" {
		opts = append(opts, oci.WithCPUs(r.Cpuset))
	}
	if r.Memory != "" {
		limit, err := parseBytes(r.Memory)
		if err != nil {
			return nil, fmt.Errorf("resources.memory: %w", err)
		}
		opts = append(opts, oci.WithMemoryLimit(uint64(limit)))
	}
	if r.MemorySwap != "" {
		swap, err := parseBytes(r.MemorySwap)
		if err != nil {
			return nil, fmt.Errorf("resources.memory_swap: %w", err)
		}
		opts = append(opts, oci.WithMemorySwap(swap))
	}
	if r.MemoryReservation != "" || r.MemorySwappiness != nil || r.OOMScoreAdj != nil {
		opts = append(opts, withMemoryExtras(r))
	}
	if r.PidsLimit > 0 {
		opts = append(opts, oci.WithPidsLimit(r.PidsLimit))
	}

	devices := make([]plannedDevice, 0, len(svc.Devices)+len(gpuDevices))
	for _, d := range svc.Devices {
		devices = append(devices, plannedDevice{path: d.Path, access: access(&d)})
	}
	devices = append(devices, gpuDevices...)
	linuxDevices, rules, err := resolveDevices(devices, p.inv)
	if err != nil {
		return nil, err
	}
	if len(linuxDevices) > 0 {
		opts = append(opts, oci.WithLinuxDevices(linuxDevices), withDeviceRules(rules))
	}

	mounts, err := storageMounts(svc.Storage, p.opts)
	if err != nil {
		return nil, err
	}
	opts = append(opts, oci.WithMounts(mounts))

	caps := append(normalizeCaps(svc.Capabilities), normalizeCaps(svc.CapAdd)...)
	if len(caps) > 0 {
		opts = append(opts, oci.WithAddedCapabilities(caps))
	}
	if len(svc.CapDrop) > 0 {
		opts = append(opts, oci.WithDroppedCapabilities(normalizeCaps(svc.CapDrop)))
	}
	if svc.ReadOnlyRoot {
		opts = append(opts, oci.WithRootFSReadonly())
	}
	if svc.TTY {
		opts = append(opts, oci.WithTTY)
	}
	if len(svc.Labels) > 0 {
		opts = append(opts, oci.WithAnnotations(svc.Labels))
	}
	if len(svc.Sysctls) > 0 {
		opts = append(opts, withSysctls(svc.Sysctls))
	}
	if len(svc.Ulimits) > 0 {
		opts = append(opts, withUlimits(svc))
	}
	// Last: containerd's default profile reads the capabilities set above.
	opts = append(opts, seccomp.WithDefaultProfile())
	return opts, nil
}

// maskedPaths is containerd's list plus the two bundlec adds.
var maskedPaths = []string{
	"/proc/acpi", "/proc/asound", "/proc/interrupts", "/proc/kcore", "/proc/keys",
	"/proc/latency_stats", "/proc/sched_debug", "/proc/scsi", "/proc/timer_list",
	"/proc/timer_stats", "/sys/devices/virtual/powercap", "/sys/firmware",
}

func envList(node *yaml.Node) ([]string, error) {
	if node.Kind == 0 {
		return nil, nil
	}
	if node.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("env at line %d: a map is expected", node.Line)
	}
	env := make([]string, 0, len(node.Content)/2)
	for i := 0; i+1 < len(node.Content); i += 2 {
		env = append(env, node.Content[i].Value+"="+node.Content[i+1].Value)
	}
	return env, nil
}

type plannedDevice struct {
	path, access string
}

func access(d *device) string {
	a := ""
	if d.Read == nil || *d.Read {
		a += "r"
	}
	if d.Write == nil || *d.Write {
		a += "w"
	}
	if d.Mknod {
		a += "m"
	}
	return a
}

// gpuPlan picks the first `count` GPUs of the vendor from the inventory (no containerd
// counterpart: its contrib/nvidia adds an nvidia-container-cli hook instead).
func gpuPlan(p *parsed, hostname string) ([]string, []plannedDevice, error) {
	gpu := p.svc.Resources.GPU
	if gpu == nil {
		return nil, nil, nil
	}
	if gpu.Vendor != "nvidia" {
		return nil, nil, fmt.Errorf("gpu vendor %q: this bench maps nvidia only", gpu.Vendor)
	}
	var uuids, indices []string
	var devices []plannedDevice
	for _, g := range p.inv.GPUs {
		if g.Vendor != gpu.Vendor || len(uuids) == gpu.Count {
			continue
		}
		uuids = append(uuids, g.UUID)
		indices = append(indices, strconv.Itoa(len(indices)))
		for _, node := range g.Nodes {
			devices = append(devices, plannedDevice{path: node, access: "rw"})
		}
	}
	if len(uuids) < gpu.Count {
		return nil, nil, fmt.Errorf("gpu: %d nvidia GPUs asked, %d in the inventory", gpu.Count, len(uuids))
	}
	for _, node := range p.inv.GPUShared[gpu.Vendor] {
		devices = append(devices, plannedDevice{path: node, access: "rw"})
	}
	env := []string{
		"NVIDIA_VISIBLE_DEVICES=" + strings.Join(uuids, ","),
		"CUDA_VISIBLE_DEVICES=" + strings.Join(indices, ","),
	}
	if d := gpu.Distributed; d != nil {
		replicas := p.svc.Scale.Replicas
		if replicas == 0 {
			replicas = 1
		}
		env = append(env,
			"MASTER_ADDR="+hostname, "MASTER_PORT="+strconv.Itoa(d.MasterPort),
			"WORLD_SIZE="+strconv.Itoa(replicas), "RANK="+strconv.Itoa(p.replica-1), "LOCAL_RANK=0",
			"NCCL_SOCKET_IFNAME=eth0", "GLOO_SOCKET_IFNAME=eth0")
	}
	return env, devices, nil
}

// resolveDevices looks each path up in the inventory, as containerd's WithLinuxDevice would stat
// it on the host.
func resolveDevices(planned []plannedDevice, inv *inventory) ([]specs.LinuxDevice, []specs.LinuxDeviceCgroup, error) {
	if len(planned) == 0 {
		return nil, nil, nil
	}
	byPath := make(map[string]int, len(inv.Devices))
	for i := range inv.Devices {
		byPath[inv.Devices[i].Path] = i
	}
	devices := make([]specs.LinuxDevice, 0, len(planned))
	rules := make([]specs.LinuxDeviceCgroup, 0, len(planned))
	for _, want := range planned {
		i, ok := byPath[want.path]
		if !ok {
			return nil, nil, fmt.Errorf("device %s is not in the inventory", want.path)
		}
		d := &inv.Devices[i]
		mode := os.FileMode(d.FileMode)
		uid, gid := d.UID, d.GID
		major, minor := d.Major, d.Minor
		devices = append(devices, specs.LinuxDevice{
			Path: d.Path, Type: d.Type, Major: major, Minor: minor, FileMode: &mode, UID: &uid, GID: &gid,
		})
		rules = append(rules, specs.LinuxDeviceCgroup{
			Allow: true, Type: d.Type, Major: &major, Minor: &minor, Access: want.access,
		})
	}
	return devices, rules, nil
}

// cgroupMount is the read-only /sys/fs/cgroup that bundlec adds (containerd's CRI adds one too;
// its oci package does not).
var cgroupMount = specs.Mount{
	Destination: "/sys/fs/cgroup", Type: "cgroup", Source: "cgroup",
	Options: []string{"nosuid", "noexec", "nodev", "relatime", "ro"},
}

func storageMounts(list []storage, o *options) ([]specs.Mount, error) {
	mounts := make([]specs.Mount, 0, len(list)+1)
	mounts = append(mounts, cgroupMount)
	for i, s := range list {
		switch s.Type {
		case "bind", "named", "anonymous":
			source := s.Source
			if s.Type == "named" {
				source = o.Volumes[s.Name]
			} else if s.Type == "anonymous" {
				source = o.Volumes[s.Target]
			}
			if source == "" {
				return nil, fmt.Errorf("storage[%d]: no host path for this %s volume", i, s.Type)
			}
			rw := "rw"
			if s.Readonly {
				rw = "ro"
			}
			mounts = append(mounts, specs.Mount{
				Destination: s.Target, Type: "bind", Source: source, Options: []string{"rbind", "rprivate", rw},
			})
		case "tmpfs":
			options := []string{"nosuid", "nodev"}
			if s.Size != "" {
				size, err := parseBytes(s.Size)
				if err != nil {
					return nil, fmt.Errorf("storage[%d].size: %w", i, err)
				}
				options = append(options, "size="+strconv.FormatInt(size, 10))
			}
			if s.Mode != "" {
				options = append(options, "mode="+s.Mode)
			}
			mounts = append(mounts, specs.Mount{Destination: s.Target, Type: "tmpfs", Source: "tmpfs", Options: options})
		default:
			return nil, fmt.Errorf("storage[%d]: type %q is not mapped by this bench", i, s.Type)
		}
	}
	return mounts, nil
}

// parseBytes reads ZLayer memory strings: Ki Mi Gi Ti Pi (1024), k M G T P (1000), bare bytes.
func parseBytes(text string) (int64, error) {
	units := []struct {
		suffix string
		factor int64
	}{
		{"Ki", 1 << 10}, {"Mi", 1 << 20}, {"Gi", 1 << 30}, {"Ti", 1 << 40}, {"Pi", 1 << 50},
		{"k", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12}, {"P", 1e15},
	}
	factor, digits := int64(1), text
	for _, u := range units {
		if strings.HasSuffix(text, u.suffix) {
			factor, digits = u.factor, strings.TrimSuffix(text, u.suffix)
			break
		}
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/factor {
		return 0, fmt.Errorf("%q is not a size", text)
	}
	return n * factor, nil
}

func normalizeCaps(names []string) []string {
	out := make([]string, 0, len(names))
	for _, n := range names {
		n = strings.ToUpper(n)
		if !strings.HasPrefix(n, "CAP_") {
			n = "CAP_" + n
		}
		out = append(out, n)
	}
	return out
}

// withUser resolves the user against the passwd and group texts of the options, with the parsers
// containerd's WithUser/WithAdditionalGIDs use (runc's libcontainer/user), reading them from memory
// where containerd reads them from a mounted rootfs.
func withUser(spec string, extraGroups []string, o *options) oci.SpecOpts {
	return func(ctx context.Context, client oci.Client, c *containers.Container, s *oci.Spec) error {
		if spec == "" {
			spec = "0"
		}
		name, group, _ := strings.Cut(spec, ":")
		var uid, gid int
		userName := ""
		if n, err := strconv.Atoi(name); err == nil {
			uid = n
		} else {
			users, err := user.ParsePasswdFilter(strings.NewReader(o.Passwd), func(u user.User) bool { return u.Name == name })
			if err != nil || len(users) == 0 {
				return fmt.Errorf("user %q is not in the passwd text", name)
			}
			uid, gid, userName = users[0].Uid, users[0].Gid, name
		}
		if group != "" {
			if n, err := strconv.Atoi(group); err == nil {
				gid = n
			} else {
				groups, err := user.ParseGroupFilter(strings.NewReader(o.Group), func(g user.Group) bool { return g.Name == group })
				if err != nil || len(groups) == 0 {
					return fmt.Errorf("group %q is not in the group text", group)
				}
				gid = groups[0].Gid
			}
		}
		if err := oci.WithUIDGID(uint32(uid), uint32(gid))(ctx, client, c, s); err != nil {
			return err
		}
		gids := []uint32{uint32(gid)}
		if userName != "" || len(extraGroups) > 0 {
			member := func(g user.Group) bool {
				for _, extra := range extraGroups {
					if g.Name == extra {
						return true
					}
				}
				for _, m := range g.List {
					if m == userName {
						return true
					}
				}
				return false
			}
			groups, err := user.ParseGroupFilter(strings.NewReader(o.Group), member)
			if err != nil {
				return err
			}
			for _, g := range groups {
				if uint32(g.Gid) != gids[0] {
					gids = append(gids, uint32(g.Gid))
				}
			}
		}
		s.Process.User.AdditionalGids = gids
		return nil
	}
}

// The SpecOpts below have no counterpart in containerd 1.6's oci package.

func withRootfsPropagation(mode string) oci.SpecOpts {
	return func(_ context.Context, _ oci.Client, _ *containers.Container, s *oci.Spec) error {
		s.Linux.RootfsPropagation = mode
		return nil
	}
}

func withDeviceRules(rules []specs.LinuxDeviceCgroup) oci.SpecOpts {
	return func(_ context.Context, _ oci.Client, _ *containers.Container, s *oci.Spec) error {
		s.Linux.Resources.Devices = append(s.Linux.Resources.Devices, rules...)
		return nil
	}
}

func withMemoryExtras(r *resources) oci.SpecOpts {
	return func(_ context.Context, _ oci.Client, _ *containers.Container, s *oci.Spec) error {
		if s.Linux.Resources.Memory == nil {
			s.Linux.Resources.Memory = &specs.LinuxMemory{}
		}
		if r.MemoryReservation != "" {
			n, err := parseBytes(r.MemoryReservation)
			if err != nil {
				return fmt.Errorf("resources.memory_reservation: %w", err)
			}
			s.Linux.Resources.Memory.Reservation = &n
		}
		s.Linux.Resources.Memory.Swappiness = r.MemorySwappiness
		s.Process.OOMScoreAdj = r.OOMScoreAdj
		return nil
	}
}

func withSysctls(sysctls map[string]string) oci.SpecOpts {
	return func(_ context.Context, _ oci.Client, _ *containers.Container, s *oci.Spec) error {
		if s.Linux.Sysctl == nil {
			s.Linux.Sysctl = make(map[string]string, len(sysctls))
		}
		for k, v := range sysctls {
			s.Linux.Sysctl[k] = v
		}
		return nil
	}
}

func withUlimits(svc *service) oci.SpecOpts {
	return func(_ context.Context, _ oci.Client, _ *containers.Container, s *oci.Spec) error {
		names := make([]string, 0, len(svc.Ulimits))
		for name := range svc.Ulimits {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			l := svc.Ulimits[name]
			kind := "RLIMIT_" + strings.ToUpper(name)
			replaced := false
			for i := range s.Process.Rlimits {
				if s.Process.Rlimits[i].Type == kind {
					s.Process.Rlimits[i].Soft, s.Process.Rlimits[i].Hard = l.Soft, l.Hard
					replaced = true
				}
			}
			if !replaced {
				s.Process.Rlimits = append(s.Process.Rlimits, specs.POSIXRlimit{Type: kind, Soft: l.Soft, Hard: l.Hard})
			}
		}
		return nil
	}
}

// ---- one call ---------------------------------------------------------------------------------------

func generate(ctx context.Context, p *parsed) ([]byte, error) {
	opts, err := specOpts(p)
	if err != nil {
		return nil, err
	}
	spec, err := oci.GenerateSpec(ctx, nil, &containers.Container{ID: fmt.Sprintf("%s-rep-%d", p.name, p.replica)}, opts...)
	if err != nil {
		return nil, err
	}
	return json.MarshalIndent(spec, "", "  ")
}

func full(ctx context.Context, t *texts) ([]byte, error) {
	p, err := parse(t)
	if err != nil {
		return nil, err
	}
	return generate(ctx, p)
}

// ---- timing -------------------------------------------------------------------------------------------

type settings struct {
	specs, modes  []string
	batches       int
	batch, warmup time.Duration
	dir, dump     string
}

func parseArgs(args []string) (*settings, error) {
	s := &settings{
		specs: []string{"minimal", "typical", "heavy"}, modes: []string{"full", "generate"},
		batches: 31, batch: 20 * time.Millisecond, warmup: 300 * time.Millisecond,
	}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if !strings.HasPrefix(arg, "--") {
			s.dir = arg
			continue
		}
		if i+1 == len(args) {
			return nil, fmt.Errorf("%s needs a value", arg)
		}
		i++
		value := args[i]
		number := func() (int, error) {
			n, err := strconv.Atoi(value)
			if err != nil || n < 1 {
				return 0, fmt.Errorf("%s: %q is not a positive number", arg, value)
			}
			return n, nil
		}
		var err error
		var n int
		switch arg {
		case "--specs", "--spec":
			s.specs = strings.Split(value, ",")
		case "--modes":
			s.modes = strings.Split(value, ",")
		case "--dump":
			s.dump = value
		case "--batches":
			n, err = number()
			s.batches = n
		case "--batch-ms":
			n, err = number()
			s.batch = time.Duration(n) * time.Millisecond
		case "--warmup-ms":
			n, err = number()
			s.warmup = time.Duration(n) * time.Millisecond
		default:
			return nil, fmt.Errorf("unknown option %s", arg)
		}
		if err != nil {
			return nil, err
		}
	}
	if s.dir == "" {
		return nil, errors.New("the inputs directory is missing")
	}
	return s, nil
}

// measure runs call with bench-loop's method and returns the sorted per-call times of the batches.
func measure(s *settings, call func() (int, error)) ([]float64, int, error) {
	start := time.Now()
	warm := 0
	for time.Since(start) < s.warmup || warm < 10 {
		if _, err := call(); err != nil {
			return nil, 0, err
		}
		warm++
	}
	each := time.Since(start).Seconds() / float64(warm)
	perBatch := int(s.batch.Seconds()/each + 0.5)
	if perBatch < 1 {
		perBatch = 1
	}
	samples := make([]float64, 0, s.batches)
	for b := 0; b < s.batches; b++ {
		start := time.Now()
		for i := 0; i < perBatch; i++ {
			if _, err := call(); err != nil {
				return nil, 0, err
			}
		}
		samples = append(samples, float64(time.Since(start).Nanoseconds())/float64(perBatch))
	}
	sort.Float64s(samples)
	return samples, perBatch, nil
}

func median(sorted []float64) float64 {
	mid := len(sorted) / 2
	if len(sorted)%2 == 1 {
		return sorted[mid]
	}
	return (sorted[mid-1] + sorted[mid]) / 2
}

func run() error {
	s, err := parseArgs(os.Args[1:])
	if err != nil {
		return err
	}
	read := func(name string) ([]byte, error) { return os.ReadFile(filepath.Join(s.dir, name)) }
	inventoryText, err := read("inventory.json")
	if err != nil {
		return err
	}
	ctx := namespaces.WithNamespace(context.Background(), "bench")
	for _, mode := range s.modes {
		for _, name := range s.specs {
			t := &texts{inventory: inventoryText}
			if t.spec, err = read(name + ".yaml"); err != nil {
				return err
			}
			// `<spec>.options.json` when the spec has its own (heavy's passwd), as bench-loop does.
			if t.options, err = read(name + ".options.json"); err != nil {
				if t.options, err = read("options.json"); err != nil {
					return err
				}
			}
			config, err := full(ctx, t)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			if s.dump != "" {
				if err := os.WriteFile(filepath.Join(s.dump, name+".containerd.json"), config, 0o644); err != nil {
					return err
				}
			}
			var call func() (int, error)
			switch mode {
			case "full":
				call = func() (int, error) { b, err := full(ctx, t); return len(b), err }
			case "generate":
				p, err := parse(t)
				if err != nil {
					return err
				}
				call = func() (int, error) { b, err := generate(ctx, p); return len(b), err }
			case "parse":
				call = func() (int, error) { _, err := parse(t); return 0, err }
			default:
				return fmt.Errorf("unknown mode %q (full, generate, parse)", mode)
			}
			samples, perBatch, err := measure(s, call)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			fmt.Printf("{\"host\":\"containerd\",\"mode\":%q,\"spec\":%q,\"median_ns\":%.0f,\"min_ns\":%.0f,\"max_ns\":%.0f,\"batches\":%d,\"per_batch\":%d,\"config_bytes\":%d,\"gomaxprocs\":%d}\n",
				mode, name, median(samples), samples[0], samples[len(samples)-1], len(samples), perBatch, len(config), runtime.GOMAXPROCS(0))
		}
	}
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "containerd-bench:", err)
		os.Exit(2)
	}
}
