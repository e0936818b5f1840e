"""Dispatch a parsed command line; turn settings and policy problems into exit code 3."""

from __future__ import annotations

import argparse
import sys

from bot.exitcodes import EXIT_CONFIG, EXIT_USAGE


def run_command(args: argparse.Namespace) -> int:
    from config.errors import ConfigError

    try:
        return _dispatch(args)
    except ConfigError as exc:
        print(f"duebot: bad settings or policy:\n{exc}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130


def _dispatch(args: argparse.Namespace) -> int:
    command = args.command
    if command == "import":
        from bot.commands.imports import run_import

        return run_import(args)
    if command == "serve":
        from bot.commands.serve import run_serve

        return run_serve(args)
    if command == "log":
        from bot.commands.logcmd import run_log

        return run_log(args)
    if command == "classify":
        from bot.commands.classify import run_classify

        return run_classify(args)
    if command == "tick":
        from bot.commands.tick import run_tick

        return run_tick(args)
    if command == "worker":
        from bot.commands.worker import run_worker

        return run_worker(args)
    if command == "demo":
        from bot.commands.demo import run_demo

        return run_demo(args)
    if command == "staff":
        from bot.commands.staff import run_staff

        return run_staff(args)
    if command == "templates":
        from bot.commands.templates import run_templates

        return run_templates(args)
    if command == "report":
        from bot.commands.report import run_report

        return run_report(args)
    print(f"duebot: unknown command {command}", file=sys.stderr)
    return EXIT_USAGE
