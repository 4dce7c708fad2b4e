package jetstream

// MultiFilter lets the tests know whether a consumer reads only its own
// subjects (nats-server 2.10 and later) or the whole stream.
func MultiFilter(b *Bus) bool { return b.multiFilter() }
