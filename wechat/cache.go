package wechat

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/silenceper/wechat/v2/cache"
)

// RedisCache implements the SDK's cache.Cache (and cache.ContextCache) on
// go-redis v9; the SDK ships only a go-redis v8 one. Every replica reads the
// same keys, so one access token per app serves them all.
type RedisCache struct {
	rdb     redis.UniversalClient
	prefix  string
	timeout time.Duration // for the SDK's calls that carry no context
}

var _ cache.ContextCache = (*RedisCache)(nil)

// NewRedisCache stores keys under prefix.
func NewRedisCache(rdb redis.UniversalClient, prefix string) *RedisCache {
	return &RedisCache{rdb: rdb, prefix: prefix, timeout: 3 * time.Second}
}

func (r *RedisCache) bounded() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), r.timeout)
}

// Get returns the string stored at key, or nil. The SDK asserts values to string.
func (r *RedisCache) Get(key string) interface{} {
	ctx, cancel := r.bounded()
	defer cancel()
	return r.GetContext(ctx, key)
}

func (r *RedisCache) GetContext(ctx context.Context, key string) interface{} {
	v, err := r.rdb.Get(ctx, r.prefix+key).Result()
	if err != nil {
		return nil // missing or Redis down: the SDK fetches a new token
	}
	return v
}

// Set stores val for timeout; a timeout of zero or less keeps it until deleted.
func (r *RedisCache) Set(key string, val interface{}, timeout time.Duration) error {
	ctx, cancel := r.bounded()
	defer cancel()
	return r.SetContext(ctx, key, val, timeout)
}

func (r *RedisCache) SetContext(ctx context.Context, key string, val interface{}, timeout time.Duration) error {
	if timeout < 0 {
		timeout = 0
	}
	return r.rdb.Set(ctx, r.prefix+key, val, timeout).Err()
}

func (r *RedisCache) IsExist(key string) bool {
	ctx, cancel := r.bounded()
	defer cancel()
	return r.IsExistContext(ctx, key)
}

func (r *RedisCache) IsExistContext(ctx context.Context, key string) bool {
	n, err := r.rdb.Exists(ctx, r.prefix+key).Result()
	return err == nil && n > 0
}

func (r *RedisCache) Delete(key string) error {
	ctx, cancel := r.bounded()
	defer cancel()
	return r.DeleteContext(ctx, key)
}

func (r *RedisCache) DeleteContext(ctx context.Context, key string) error {
	if err := r.rdb.Del(ctx, r.prefix+key).Err(); err != nil && !errors.Is(err, redis.Nil) {
		return err
	}
	return nil
}

// tokenCache is the cache one SDK app (mini-program or WeCom) sees. It
// remembers the keys the SDK uses, so a token WeChat rejects can be dropped
// without copying the SDK's private key format.
type tokenCache struct {
	*RedisCache
	mu   sync.Mutex
	keys map[string]struct{}
}

func newTokenCache(r *RedisCache) *tokenCache {
	return &tokenCache{RedisCache: r, keys: map[string]struct{}{}}
}

func (t *tokenCache) note(key string) {
	t.mu.Lock()
	t.keys[key] = struct{}{}
	t.mu.Unlock()
}

func (t *tokenCache) Get(key string) interface{} { t.note(key); return t.RedisCache.Get(key) }
func (t *tokenCache) GetContext(ctx context.Context, key string) interface{} {
	t.note(key)
	return t.RedisCache.GetContext(ctx, key)
}
func (t *tokenCache) Set(key string, val interface{}, timeout time.Duration) error {
	t.note(key)
	return t.RedisCache.Set(key, val, timeout)
}
func (t *tokenCache) SetContext(ctx context.Context, key string, val interface{}, timeout time.Duration) error {
	t.note(key)
	return t.RedisCache.SetContext(ctx, key, val, timeout)
}

// forget deletes every key this app's SDK has used: its access token.
func (t *tokenCache) forget(ctx context.Context) {
	t.mu.Lock()
	keys := make([]string, 0, len(t.keys))
	for k := range t.keys {
		keys = append(keys, k)
	}
	t.mu.Unlock()
	for _, k := range keys {
		_ = t.RedisCache.DeleteContext(ctx, k)
	}
}
