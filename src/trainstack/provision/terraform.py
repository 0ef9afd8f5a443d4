"""The terraform (or OpenTofu) binary: found, version-checked, and run with its output kept.

Every run:

- is non-interactive (``-input=false`` where the command takes it, ``TF_INPUT=0``,
  ``TF_IN_AUTOMATION=1``) and never phones home (``CHECKPOINT_DISABLE``);
- shares one provider plugin cache (``TF_PLUGIN_CACHE_DIR``, unless the user set one);
- writes its whole output, stdout and stderr in order, to a log file, with the value of
  every secret-looking environment variable replaced by ``***`` there and on the screen
  (terraform does not print credentials, but a provisioner or a provider's debug line
  might);
- runs in its own process group, so that a terminal's Ctrl-C reaches trainstack only,
  which passes exactly one SIGINT on: terraform then stops after the operations in
  flight and writes its state (a second Ctrl-C is passed on too, and terraform exits at
  once, as it does when run by hand).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from trainstack.errors import TrainstackError

MIN_VERSION = (1, 5, 0)  # the stacks' required_version (constructs/spec.py)
NAMES = ("terraform", "tofu")
INTERRUPTED = 130
# Names of variables whose values are credentials: the azurerm provider's and backend's
# (ARM_CLIENT_SECRET, ARM_CLIENT_CERTIFICATE[_PASSWORD], ARM_OIDC_TOKEN,
# ARM_OIDC_REQUEST_TOKEN, ARM_ACCESS_KEY, ARM_SAS_TOKEN), the CI systems' request tokens
# (ACTIONS_ID_TOKEN_REQUEST_TOKEN, SYSTEM_ACCESSTOKEN) and anything named like them.
_SECRET_NAME = re.compile(r"SECRET|TOKEN|PASSWORD|PASSPHRASE|ACCESS_?KEY|SAS|CERTIFICATE$|"
                          r"CREDENTIAL|PRIVATE_KEY|API_?KEY", re.IGNORECASE)
_SHORTEST_SECRET = 6  # shorter values ("true", "1") would blank out ordinary words


class TerraformError(TrainstackError):
    """terraform ran and failed (exit 1)."""

    exit_code = 1


class TerraformInterrupted(TrainstackError):
    """Ctrl-C while terraform ran: it stopped cleanly (or was told to stop at once)."""

    exit_code = INTERRUPTED


@dataclass(frozen=True)
class Terraform:
    """A usable terraform or OpenTofu binary."""

    path: str
    name: str
    version: tuple[int, int, int]

    @property
    def version_text(self) -> str:
        """``1.11.4``."""
        return ".".join(map(str, self.version))


def find(explicit: str | None, env: Mapping[str, str] | None = None) -> Terraform:
    """The binary named by ``--terraform`` or TRAINSTACK_TERRAFORM, else ``terraform`` or
    ``tofu`` on PATH; its version checked."""
    env = os.environ if env is None else env
    wanted = explicit or env.get("TRAINSTACK_TERRAFORM")
    if wanted:
        path = shutil.which(wanted, path=env.get("PATH"))
        if path is None:
            raise TrainstackError(f"terraform: '{wanted}' (from "
                                  f"{'--terraform' if explicit else 'TRAINSTACK_TERRAFORM'}) "
                                  "is not an executable file or a command on PATH")
        return probe(path, env)
    for name in NAMES:
        path = shutil.which(name, path=env.get("PATH"))
        if path is not None:
            return probe(path, env)
    raise TrainstackError(
        "terraform: neither 'terraform' nor 'tofu' is on PATH",
        "  install Terraform >= 1.5 (https://developer.hashicorp.com/terraform/install) or "
        "OpenTofu, or name the binary with --terraform or TRAINSTACK_TERRAFORM")


def probe(path: str, env: Mapping[str, str] | None = None) -> Terraform:
    """Ask the binary its version (``version -json``, which terraform and OpenTofu both
    answer) and refuse one older than 1.5."""
    try:
        done = subprocess.run([path, "version", "-json"], capture_output=True, timeout=60,
                              env={**(os.environ if env is None else env),
                                   "CHECKPOINT_DISABLE": "1"}, check=False)
        info = json.loads(done.stdout)
        text = info.get("terraform_version") or info.get("tofu_version") or ""
        version = tuple(int(p) for p in re.findall(r"\d+", text)[:3])
    except (OSError, subprocess.TimeoutExpired, ValueError, AttributeError) as exc:
        raise TrainstackError(f"terraform: {path} did not report its version "
                              f"({type(exc).__name__}); is it terraform or OpenTofu?") from None
    if len(version) != 3:
        raise TrainstackError(f"terraform: {path} reported no version (got {text!r})")
    name = "tofu" if "tofu_version" in info or Path(path).name.startswith("tofu") else "terraform"
    if version < MIN_VERSION:
        raise TrainstackError(f"terraform: {path} is {name} {'.'.join(map(str, version))}; "
                              "the stacks need >= 1.5 (required_version): upgrade it")
    return Terraform(path, name, version)  # type: ignore[arg-type]


def secret_values(env: Mapping[str, str]) -> tuple[str, ...]:
    """The values to hide: those of secret-looking variables, longest first."""
    values = {v for k, v in env.items() if _SECRET_NAME.search(k) and len(v) >= _SHORTEST_SECRET}
    # a value inside a JSON line is escaped; hide that spelling too
    values |= {json.dumps(v)[1:-1] for v in values}
    return tuple(sorted(values, key=len, reverse=True))


def scrub(line: str, secrets: tuple[str, ...]) -> str:
    """``line`` with every secret value replaced by ``***``."""
    for value in secrets:
        if value in line:
            line = line.replace(value, "***")
    return line


@dataclass
class Completed:
    """What a terraform run left: its exit code, its scrubbed output, its UI events."""

    code: int
    lines: list[str] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)

    def text(self) -> str:
        """The whole output as one text."""
        return "\n".join(self.lines)


def base_env(env: Mapping[str, str], plugin_cache: Path, data_dir: Path) -> dict[str, str]:
    """The environment terraform runs in: the user's, non-interactive, its data folder
    (``.terraform``) outside the synthesized output, and a shared plugin cache."""
    out = dict(env)
    out.update({"TF_IN_AUTOMATION": "1", "TF_INPUT": "0", "CHECKPOINT_DISABLE": "1",
                "TF_DATA_DIR": str(data_dir)})
    if not out.get("TF_PLUGIN_CACHE_DIR"):
        plugin_cache.mkdir(parents=True, exist_ok=True)
        out["TF_PLUGIN_CACHE_DIR"] = str(plugin_cache)
    return out


def run(tf: Terraform, args: list[str], *, cwd: Path, env: Mapping[str, str], log: Path,
        on_event: Callable[[dict], None] | None = None, keep_output: bool = True) -> Completed:
    """Run ``terraform -chdir=cwd ARGS``, streaming its output into ``log`` (scrubbed; with
    ``keep_output=False`` only the command and its exit code) and its JSON UI messages to
    ``on_event``; Ctrl-C is passed on (module docstring) and raises TerraformInterrupted
    once terraform has exited."""
    secrets = secret_values(env)
    log.parent.mkdir(parents=True, exist_ok=True)
    command = [tf.path, f"-chdir={cwd}", *args]
    with open(log, "a", encoding="utf-8") as sink:
        sink.write("$ " + " ".join([tf.name, *args]) + "\n")
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=dict(env), text=True,
                                encoding="utf-8", errors="replace", start_new_session=True)
        interrupts = _Forwarder(proc)
        try:
            done = _collect(proc, sink if keep_output else None, secrets, on_event)
        finally:
            interrupts.restore()
        sink.write(f"[exit {done.code}]\n" if keep_output
                   else f"[exit {done.code}; output not kept: it holds values]\n")
    if interrupts.count:
        raise TerraformInterrupted(*_interrupted_lines(interrupts.count))
    return done


def _collect(proc: subprocess.Popen, sink, secrets: tuple[str, ...],
             on_event: Callable[[dict], None] | None) -> Completed:
    """Read the process's output to its end, line by line."""
    done = Completed(code=0)
    assert proc.stdout is not None
    for raw in proc.stdout:
        line = scrub(raw.rstrip("\n"), secrets)
        if sink is not None:
            sink.write(line + "\n")
            sink.flush()
        done.lines.append(line)
        event = _event(line)
        if event is not None:
            done.events.append(event)
            if on_event is not None:
                on_event(event)
    done.code = proc.wait()
    return done


def _event(line: str) -> dict | None:
    """A JSON UI message (``{"type": ...}``), or None for a plain line."""
    if not line.startswith("{"):
        return None
    try:
        value = json.loads(line)
    except ValueError:
        return None
    return value if isinstance(value, dict) and isinstance(value.get("type"), str) else None


class _Forwarder:
    """SIGINT handling while terraform runs: count and pass each one on."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.proc = proc
        self.count = 0
        self.previous = None
        self.active = threading.current_thread() is threading.main_thread()
        if self.active:
            self.previous = signal.signal(signal.SIGINT, self._on_sigint)

    def _on_sigint(self, signum: int, frame: object) -> None:
        self.count += 1
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)

    def restore(self) -> None:
        """Put the previous handler back."""
        if self.active:
            signal.signal(signal.SIGINT, self.previous)


def _interrupted_lines(count: int) -> tuple[str, ...]:
    if count == 1:
        stopped = ("interrupted: terraform stopped after the operations in flight and saved "
                   "its state")
        return stopped, "  run the same command again to carry on from where it stopped"
    first = ("interrupted twice: terraform stopped at once; operations in flight may have "
             "finished in Azure without being recorded in the state")
    then = ("  run `trainstack plan` to see what the state is missing; a resource Azure made "
            "meanwhile must be imported (terraform import) or deleted before the next apply")
    return first, then
