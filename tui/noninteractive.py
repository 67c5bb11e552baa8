"""`seal-setup onboard --non-interactive`: the wizard's steps without screens."""

from __future__ import annotations

import argparse
import sys

from tui.cli import EXIT_USAGE


def run_noninteractive(args: argparse.Namespace) -> int:
    """Never prompts; the secret comes from stdin."""
    print("seal-setup onboard --non-interactive: not yet available.", file=sys.stderr)
    return EXIT_USAGE
