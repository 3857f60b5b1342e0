"""``python -m matcher.cli``: the command line."""

from matcher.cli.app import main

if __name__ == "__main__":
    main()
