"""FairBid: the bidding service under test. Knows nothing of the harness; runs alone."""
