from sop_docs.cli import main

main()
