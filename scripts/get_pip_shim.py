"""Offline stand-in for get-pip.py, used by ansible-test to seed its sanity venvs.

ansible-test downloads get-pip from a host this network cannot reach; it first looks in
~/.ansible/test/cache/get_pip_<version>.py, where scripts/sanity.sh puts this file. It
bootstraps pip from the interpreter's own ensurepip (in a subprocess, so pip keeps its
configured CA bundle), then installs the requested packages from the package index.
"""
import subprocess
import sys

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"])
subprocess.check_call([sys.executable, "-m", "pip", "install", "--upgrade"] + args)
