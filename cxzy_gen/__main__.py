from cxzy_gen.cli import main

main()
