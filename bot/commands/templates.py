"""``duebot templates check`` and ``duebot templates list``: the message templates in force.

Built-in templates come with duebot; ``DUEBOT_TEMPLATES_DIR`` names the lender's folder, whose
files replace built-in ones of the same name and add variants (``<kind>.<channel>.<locale>@<variant>.j2``).
"""

from __future__ import annotations

import argparse
import sys

from bot.exitcodes import EXIT_CONFIG, EXIT_OK


def run_templates(args: argparse.Namespace) -> int:
    from config.policy import load_policy
    from config.settings import load_settings
    from scheduler.rendering import MessageRenderer, TemplateCheckError, parse_template_name
    from scheduler.tiers import tiers_from_policy

    settings = load_settings()
    policy = load_policy(settings.policy_file)
    renderer = MessageRenderer(lender_dir=settings.templates_dir)
    if args.action == "list":
        for source in renderer.sources():
            where = "lender" if source.lenders else "built-in"
            note = " (replaces the built-in one)" if source.replaces_builtin else ""
            print(f"{source.name:44} {where:8} {source.path}{note}")
        return EXIT_OK
    try:
        renderer.check_templates({tier.stage for tier in tiers_from_policy(policy)})
    except TemplateCheckError as exc:
        print(f"duebot templates check: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    for source in renderer.sources():
        parsed = parse_template_name(source.name)
        if parsed is None or parsed.partial:
            continue
        rendered = renderer.check_one(parsed.kind, parsed.channel, parsed.locale, parsed.variant)
        length = ""
        if parsed.channel == "sms":
            counts = sorted({r.segments.segments for r in rendered if r.segments is not None})
            length = f"  SMS {counts[0]}" + (f"-{counts[-1]}" if counts[-1] != counts[0] else "") + " segment(s)"
        print(f"ok  {source.name:44} {'lender' if source.lenders else 'built-in'}{length}")
    print(f"{len(renderer.sources())} template file(s) checked: every locale and channel renders with sample data")
    return EXIT_OK
