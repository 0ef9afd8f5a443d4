from trainstack.cli.entry import console

console()
