#!/bin/bash
# The dev container's set-up: the same venv and working copy `make lab` makes.
# Then, in the terminal: make lab ARGS="--no-browser --ip=0.0.0.0 --port=8888"
set -euo pipefail
make workbook
echo 'Ready: run  make lab ARGS="--no-browser --ip=0.0.0.0 --port=8888"  and open the forwarded port 8888.'
