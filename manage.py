#!/usr/bin/env python
from campus.manage import main

if __name__ == "__main__":
    main()
