package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/redis/rueidis"
)

// slidingWindow is window.take in Lua, on one hash per rule and client
// (fields i: current window index, c: its count, p: the previous
// window's count, u: blocked until, unix ms), so one EVALSHA is one
// atomic round trip and the key lives on one cluster slot. The caller
// passes now: instances then agree as far as their clocks do (NTP), and
// tests can move time without sleeping. PEXPIRE only reclaims memory; the
// block is decided by u, not by the TTL.
//
// KEYS[1] counter; ARGV now ms, window ms, limit, block ms.
// Returns {1, 0} allowed, or {0, until ms} refused.
const slidingWindow = `
local now, size, limit, block = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local v = redis.call('HMGET', KEYS[1], 'i', 'c', 'p', 'u')
local u = tonumber(v[4]) or 0
if now < u then return {0, u} end
local idx = math.floor(now / size)
local i, c, p = tonumber(v[1]) or idx, tonumber(v[2]) or 0, tonumber(v[3]) or 0
if idx == i + 1 then p, c = c, 0 elseif idx ~= i then p, c = 0, 0 end
local elapsed = (now - idx * size) / size
if p * (1 - elapsed) + c + 1 > limit then
  u = now + block
  redis.call('HSET', KEYS[1], 'i', idx, 'c', c, 'p', p, 'u', u)
  redis.call('PEXPIRE', KEYS[1], 2 * size + block)
  return {0, u}
end
redis.call('HSET', KEYS[1], 'i', idx, 'c', c + 1, 'p', p, 'u', 0)
redis.call('PEXPIRE', KEYS[1], 2 * size + block)
return {1, 0}
`

// redisStore shares the counters between edge instances.
type redisStore struct {
	client  rueidis.Client
	script  *rueidis.Lua
	prefix  string
	timeout time.Duration
}

func newRedisStore(cfg Config, logger *slog.Logger) (*redisStore, error) {
	opt, err := rueidis.ParseURL(cfg.Redis)
	if err != nil {
		return nil, fmt.Errorf("ratelimit: redis url: %w", err)
	}
	s := &redisStore{prefix: cfg.RedisPrefix, timeout: cfg.RedisTimeout, script: rueidis.NewLuaScript(slidingWindow)}
	if s.prefix == "" {
		s.prefix = "peakshop:rl:"
	}
	if s.timeout == 0 {
		s.timeout = 50 * time.Millisecond
	}
	// No client-side caching (nothing here is read twice) and no RESP3
	// requirement; a short dial and write timeout so a dead Redis is
	// noticed in about a second; ForceSingleClient returns a client even
	// when Redis is down at start, so the edge starts and fails open
	// until Redis is back rather than refusing to start.
	opt.DisableCache = true
	opt.ForceSingleClient = true
	opt.Dialer.Timeout = time.Second
	opt.ConnWriteTimeout = time.Second
	s.client, err = rueidis.NewClient(opt)
	if s.client == nil {
		return nil, fmt.Errorf("ratelimit: redis: %w", err)
	}
	if err != nil {
		logger.Error("rate rules: redis unreachable at start; failing open until it answers", "err", err)
	}
	return s, nil
}

func (s *redisStore) take(ctx context.Context, r *rule, key clientKey, now time.Time) (bool, time.Time, error) {
	// WithoutCancel: a client hanging up must not count as a Redis
	// failure (that would switch the rules off for everyone for a while).
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.timeout)
	defer cancel()
	res, err := s.script.Exec(ctx, s.client, []string{s.prefix + r.Name + ":" + key.String()}, []string{
		strconv.FormatInt(now.UnixMilli(), 10), strconv.FormatInt(r.Window.Milliseconds(), 10),
		strconv.Itoa(r.Limit), strconv.FormatInt(r.Block.Milliseconds(), 10),
	}).AsIntSlice()
	if err != nil {
		return false, time.Time{}, fmt.Errorf("ratelimit: redis rule %q: %w", r.Name, err)
	}
	if len(res) != 2 {
		return false, time.Time{}, errors.New("ratelimit: redis script: unexpected reply")
	}
	if res[0] == 1 {
		return true, time.Time{}, nil
	}
	return false, time.UnixMilli(res[1]), nil
}

func (s *redisStore) close() { s.client.Close() }
