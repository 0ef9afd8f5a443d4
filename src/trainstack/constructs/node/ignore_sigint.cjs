// Loaded into the CDK engine's node processes (NODE_OPTIONS --require; see engine.py).
// A terminal's Ctrl-C reaches every process of its group. jsii's kernel process, killed by
// it, never removes its jsii-kernel-* folder from the temp directory. With SIGINT ignored
// here, jsii's runtime wrapper still ends the kernel's input on SIGINT, and the kernel
// exits normally, removing its folder. trainstack handles the interrupt itself.
process.on("SIGINT", () => {});
