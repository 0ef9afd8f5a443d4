#!/bin/sh
# cdktf.json's "app": stacks/app.py with the project's virtual environment when there is one
# (the README's `.venv`), so that `npx cdktf synth` and `npx cdktf deploy` work as written,
# whether or not the environment is activated; else the python3 on PATH.
here=$(dirname "$0")
if [ -x "$here/../.venv/bin/python" ]; then
    exec "$here/../.venv/bin/python" "$here/app.py"
fi
exec python3 "$here/app.py"
