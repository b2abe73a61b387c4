"""What each rule says of one meeting alone (`placement`: where and when a request could be held, and why not)
and the words that put the rules into reasons."""
