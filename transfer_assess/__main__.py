"""Run the command line as ``python -m transfer_assess``."""

from transfer_assess.cli import main

main()
