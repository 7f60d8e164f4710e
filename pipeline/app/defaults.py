"""Our Luigi defaults (defaults.cfg beside this file), beneath any user config.

Luigi reads luigi.cfg from the current folder, so a repo-level luigi.cfg applies only when
run from the repo. Instead the package ships its defaults and puts them first in Luigi's
list of config files: /etc/luigi/luigi.cfg, ./luigi.cfg and $LUIGI_CONFIG_PATH come later
and override them, from any folder.

`pipeline/__init__.py` applies them first thing. `luigi --module pipeline ...` imports the
package while parsing its command line (CmdlineParser.__init__), before it reads [retcode]
(luigi.retcodes.run_with_retcodes), [worker], [scheduler] and [resources] (when it builds
the worker and scheduler), so all of those see our values. [core] autoload_range is read
when `luigi` itself is imported, before us: it counts only from a user's config.
"""

from __future__ import annotations

import os

import luigi.configuration

PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "defaults.cfg")


def apply() -> None:
    """Put defaults.cfg first among Luigi's config files and re-read them all (idempotent).

    Re-reading keeps every file's values, in order, so user files still win; a value set
    in code (`get_config().set(...)`) before this import would be lost, so apply first.
    The .cfg parser only: with LUIGI_CONFIG_PARSER=toml, Luigi reads toml files instead.
    """
    parser = luigi.configuration.LuigiConfigParser
    if PATH in parser._config_paths:
        return
    parser._config_paths.insert(0, PATH)
    parser.reload()
    if not parser.instance().has_option("resources", "nba_api"):
        parser.instance().set("resources", "nba_api", str(api_tasks()))


def api_tasks() -> int:
    """The default [resources] nba_api: one API task per egress, and one more. Read here,
    with the other defaults, because Luigi's scheduler reads [resources] when it starts."""
    from pipeline.core.errors import BadInput
    from pipeline.nba.egress import egress_count

    try:
        return egress_count() + 1
    except BadInput:  # reported before any request, by the run's preflight
        return 2
