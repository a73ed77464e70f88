from licensecheck.cli.main import run

run()
