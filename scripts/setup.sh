#!/usr/bin/env bash
# Set up learninglab in .venv/ (idempotent: rerunning only installs what is missing).
#
#   scripts/setup.sh               what `learninglab run` needs: Debian packages, .venv, Whisper
#                                  weights, and argos's neural translation packages when online
#   scripts/setup.sh --dev         also the test tools: openai-whisper (CPU torch), Chromium, feed parsers
#   scripts/setup.sh --translation only the argos packages (en<->es, en<->fr), e.g. once back online
#
# Uses apt-get (as root, or through sudo) for Debian's packages, pip for Python packages,
# npm for the JavaScript feed parser used by the tests. ARGOS_PACKAGE_INDEX points at another
# argos package index; offline, setup still succeeds and Apertium translates.
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
only_translation=0
for arg in "$@"; do
  case "$arg" in
    --dev) dev=1 ;;
    --translation) only_translation=1 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option $arg (try --help)" >&2; exit 2 ;;
  esac
done

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
learninglab=${LEARNINGLAB:-.venv/bin/learninglab}    # the command the model steps run

# The neural engine: argos packages from argos's index (or $ARGOS_PACKAGE_INDEX), verified by a
# test translation. Offline this is one line and setup goes on: Apertium translates meanwhile.
translation_models() {
  say "Checking translation models (argos en<->es, en<->fr)"
  "$learninglab" models install-translation --all --if-online
}
if ((only_translation)); then
  translation_models
  exit 0
fi

# --- Debian packages ---------------------------------------------------------------------------
debs=(apertium apertium-eng-spa apertium-fr-es apertium-eng-cat apertium-fra-cat)
if ((dev)); then
  debs+=(chromium)
  command -v npm >/dev/null || debs+=(nodejs npm)   # any Node.js with npm will do (e.g. NodeSource's)
fi
missing=()
for pkg in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if command -v apt-get >/dev/null; then
    sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"
    say "Installing Debian packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "warning: no apt-get; install these yourself: ${missing[*]}" >&2
  fi
fi

# --- Python ------------------------------------------------------------------------------------
python=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  say "Creating .venv"
  "$python" -m venv .venv
fi
pip() { .venv/bin/python -m pip --disable-pip-version-check -q "$@"; }
extras="models"
if ((dev)); then
  # CPU-only torch first: a plain `pip install torch` pulls a multi-GB CUDA build.
  if ! .venv/bin/python -c "import torch" 2>/dev/null; then
    say "Installing CPU torch"
    pip install "torch==2.13.0" ${TORCH_INDEX_URL:+--index-url "$TORCH_INDEX_URL"}
  fi
  extras="models,openai-whisper,test"
fi
say "Installing learninglab[$extras] into .venv"
pip install -e ".[$extras]"
# The speaker encoder's weights (diarize) ship inside resemblyzer; its own dependencies would pull torch
# (a multi-GB CUDA build by default), and learninglab runs the network with onnxruntime instead.
pip install --no-deps "resemblyzer==0.1.4"
if ((dev)); then
  pip uninstall -y triton >/dev/null 2>&1 || true   # GPU-only; openai-whisper runs on CPU here
fi

# --- models ------------------------------------------------------------------------------------
say "Checking models"
if ((dev)); then
  "$learninglab" models install-whisper base --openai   # + the openai-whisper checkpoint (tests)
else
  "$learninglab" models install-whisper base
fi
translation_models

# --- test tools (JavaScript feed parser) -------------------------------------------------------
if ((dev)) && [[ -f tests/js/package.json ]]; then
  say "Installing the JavaScript feed parser for the tests"
  (cd tests/js && npm ci --no-audit --no-fund --silent)   # exactly the versions in package-lock.json
fi
say "Setup done: .venv/bin/learninglab is ready"
