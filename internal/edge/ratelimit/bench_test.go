package ratelimit

import (
	"context"
	"log/slog"
	"net/netip"
	"testing"
	"time"
)

// benchTake measures one rule check, serially (the latency a request
// pays) and in parallel (the throughput of one edge), with many clients
// so the limit is never hit.
func benchTake(b *testing.B, cfg Config) {
	cfg.Rules = []Rule{{Name: "per-ip", Limit: 1 << 30}}
	l, err := New(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	keys := make([]clientKey, 1024)
	for i := range keys {
		keys[i] = clientKey{addr: netip.AddrFrom4([4]byte{198, 51, byte(100 + i/256), byte(i)})}
	}
	ctx := context.Background()
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if ok, _ := l.take(ctx, l.rules[0], keys[i%len(keys)], time.Now()); !ok {
				b.Fatal("refused")
			}
			i++
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				l.take(ctx, l.rules[0], keys[i%len(keys)], time.Now())
				i++
			}
		})
	})
	if l.FailOpen() != 0 {
		b.Errorf("%d checks failed open", l.FailOpen())
	}
}

func BenchmarkTakeInProcess(b *testing.B) { benchTake(b, Config{}) }

func BenchmarkTakeRedis(b *testing.B) {
	url := mustRedisURL(b)
	benchTake(b, Config{Redis: url, RedisPrefix: mustPrefix(b, url)})
}

// BenchmarkRedisPing is the bare round trip, to tell the script's cost
// from the network's and the client's.
func BenchmarkRedisPing(b *testing.B) {
	url := mustRedisURL(b)
	l, err := New(Config{Rules: []Rule{{Name: "r", Limit: 1}}, Redis: url}, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	c := l.store.(*redisStore).client
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Do(context.Background(), c.B().Ping().Build()).Error(); err != nil {
			b.Fatal(err)
		}
	}
}
