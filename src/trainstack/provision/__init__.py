"""Provisioning over the real ``terraform`` (or OpenTofu) binary: plan, deploy, destroy, status.

The flow stays one way: profiles are synthesized first (``trainstack.synth``), then each
stack folder is handed to terraform. Nothing here builds or edits a stack.

- ``terraform.py``: finding the binary, checking its version, running it (secrets scrubbed,
  a raw log per run, Ctrl-C passed on once);
- ``layout.py``: where each stack's state, lock file, plans, records and logs live;
- ``events.py``: terraform's machine-readable UI, read into progress lines;
- ``plans.py``: what a saved plan would do, and the record that ties it to its profile;
- ``runner.py``: plan, apply, destroy and status of several stacks in a stable order.
"""
