"""Non-wizard commands: `status` and `logout`."""

from __future__ import annotations

import argparse
import sys

from tui.cli import EXIT_USAGE


def run_status(args: argparse.Namespace) -> int:
    """`seal-setup status [--json] [--probe]`."""
    print("seal-setup status: not yet available in this version.", file=sys.stderr)
    return EXIT_USAGE


def run_logout(args: argparse.Namespace) -> int:
    """`seal-setup logout [--provider P] [--profile N] [--yes]`."""
    print("seal-setup logout: not yet available in this version.", file=sys.stderr)
    return EXIT_USAGE
