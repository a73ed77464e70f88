from licensecheck.cli.main import main

main()
