// Loaded into the CDK engine's node processes (NODE_OPTIONS --require; see engine.py).
// The engine writes every stack of a run in one synchronous call, so V8 collects the
// garbage of each written stack only when its heap nears jsii's own limit (4 GB, set on
// node's command line, where NODE_OPTIONS cannot lower it): 1,000 stacks peaked at 200-280
// MiB. After a file is written, once the heap has grown by STEP since the last collection,
// a full collection runs: the peak stays near what is alive (benchmarks/README.md).
const v8 = require("v8");
const fs = require("fs");

v8.setFlagsFromString("--expose-gc");
const collect = require("vm").runInNewContext("gc");
const STEP = 24 * 2 ** 20;
let next = 2 * STEP;

const writeFileSync = fs.writeFileSync;
fs.writeFileSync = function boundedWriteFileSync(...args) {
  const result = writeFileSync.apply(this, args);
  if (v8.getHeapStatistics().used_heap_size > next) {
    collect();
    next = v8.getHeapStatistics().used_heap_size + STEP;
  }
  return result;
};
