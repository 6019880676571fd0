// The compile scheduler between the page and the compile worker: an edit waits out a short
// pause in typing, one request is in the worker at a time, and only the answer to the newest
// input is shown (older answers are dropped, and input that arrives meanwhile is sent next).

/**
 * Drives `worker` (worker.js). `request()` builds the message for the current input;
 * `onResult(data)` gets the worker's answer to the newest input only; `onPending()` runs when a
 * compile is asked for; `onReady(version)` and `onFailed(message)` report the module's loading.
 * Returns `{ schedule, now }`: compile after a pause in typing, or at once.
 */
export function compileScheduler(worker, { delayMs, request, onPending, onResult, onReady, onFailed }) {
  let timer = null;
  let waiting = false; // an edit is waiting out the pause
  let sent = 0; // the id of the newest request sent
  let busy = false; // a request is in the worker
  let again = false; // input changed while the worker was busy

  function now() {
    onPending();
    clearTimeout(timer);
    waiting = false;
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    sent += 1;
    worker.postMessage({ id: sent, ...request() });
  }

  function schedule() {
    onPending();
    clearTimeout(timer);
    waiting = true;
    timer = setTimeout(now, delayMs);
  }

  worker.onmessage = ({ data }) => {
    if (data.type === 'ready') {
      onReady(data.version);
    } else if (data.type === 'failed') {
      onFailed(data.message);
    } else if (data.type === 'result') {
      busy = false;
      if (again) {
        again = false;
        now();
      }
      if (data.id === sent && !waiting) onResult(data);
    }
  };

  return { schedule, now };
}
