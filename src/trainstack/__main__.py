from trainstack.cli.main import main

raise SystemExit(main())
