"""Print the rule catalogue as Markdown (the text of ``docs/rules.md``)."""

import sys

from transfer_assess.rules import rules_markdown

sys.stdout.write(rules_markdown())
