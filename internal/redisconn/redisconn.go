// Package redisconn reads REDIS_URL into the connection options of asynq and
// the go-redis client every other Redis user of guanjia shares.
package redisconn

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// Parse reads redis://, rediss://, redis-socket:// and redis-sentinel://
// URLs as asynq does, and redis-cluster://[user:password@]h1:p1,h2:p2,h3:p3
// for a Redis Cluster (any reachable nodes; the client finds the others).
// A cluster has only database 0, so the URL takes no database number.
func Parse(uri string) (asynq.RedisConnOpt, error) {
	if !strings.HasPrefix(uri, "redis-cluster://") {
		return asynq.ParseRedisURI(uri)
	}
	u, err := url.Parse(uri)
	if err != nil {
		return nil, fmt.Errorf("redis-cluster url: %w", err)
	}
	if p := strings.Trim(u.Path, "/"); p != "" && p != "0" {
		return nil, errors.New("redis-cluster url: a cluster has only database 0")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("redis-cluster url: no options are read after the addresses")
	}
	opt := &asynq.RedisClusterClientOpt{}
	for _, addr := range strings.Split(u.Host, ",") {
		host, port, err := net.SplitHostPort(addr)
		if err != nil || host == "" || port == "" {
			return nil, fmt.Errorf("redis-cluster url: %q is not host:port", addr)
		}
		opt.Addrs = append(opt.Addrs, addr)
	}
	if u.User != nil {
		opt.Username = u.User.Username()
		opt.Password, _ = u.User.Password()
	}
	return opt, nil
}

// Client returns the go-redis client of opt: a *redis.Client, or a
// *redis.ClusterClient for a cluster. The caller closes it.
func Client(opt asynq.RedisConnOpt) redis.UniversalClient {
	return opt.MakeRedisClient().(redis.UniversalClient)
}
