from patchtui.cli import main

main()
