from toolhooks.cli import main

main()
