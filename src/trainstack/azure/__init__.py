"""Live facts from Azure through ``azure-identity`` and the Azure SDK: the checks before a
deploy (``preflight``) and after it (``verify``). Tested offline against
``trainstack.testing.fake_azure``.

- ``connect.py``: credential, subscription, the management client (bounded retries that
  honour ``Retry-After``, a timeout per call), errors a user can act on, no secret in them;
- ``facts.py``: what Azure says: VM sizes offered, vCPU usage and quota per family,
  provider registration, whether global names are free;
- ``preflight.py``: the checks of one selection and stack, and the selection again with
  what Azure said when a check fails.
"""
