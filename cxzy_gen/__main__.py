from cxzy_gen.cli import run

run()
