package redisconn

import (
	"slices"
	"testing"

	"github.com/hibiken/asynq"
)

func TestParseCluster(t *testing.T) {
	opt, err := Parse("redis-cluster://app:s3cret@10.0.0.1:7000,10.0.0.2:7000,redis-3.internal:7001")
	if err != nil {
		t.Fatal(err)
	}
	c, ok := opt.(*asynq.RedisClusterClientOpt)
	if !ok {
		t.Fatalf("got %T, want a cluster option", opt)
	}
	if want := []string{"10.0.0.1:7000", "10.0.0.2:7000", "redis-3.internal:7001"}; !slices.Equal(c.Addrs, want) {
		t.Errorf("addrs %v, want %v", c.Addrs, want)
	}
	if c.Username != "app" || c.Password != "s3cret" {
		t.Errorf("credentials %q/%q", c.Username, c.Password)
	}
	if opt, err := Parse("redis-cluster://:pw@127.0.0.1:7101/0"); err != nil || opt.(*asynq.RedisClusterClientOpt).Password != "pw" {
		t.Errorf("password only, db 0: %+v %v", opt, err)
	}
}

func TestParseKeepsSingleServerURLs(t *testing.T) {
	opt, err := Parse("redis://:pw@127.0.0.1:6379/3")
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := opt.(asynq.RedisClientOpt); !ok || c.Addr != "127.0.0.1:6379" || c.DB != 3 || c.Password != "pw" {
		t.Errorf("got %#v", opt)
	}
}

func TestParseRefusesBadClusterURLs(t *testing.T) {
	for _, uri := range []string{
		"redis-cluster://",                        // no address
		"redis-cluster://127.0.0.1",               // no port
		"redis-cluster://127.0.0.1:7101,",         // empty address
		"redis-cluster://127.0.0.1:7101/2",        // a database number
		"redis-cluster://127.0.0.1:7101?tls=true", // options are not read: refuse rather than ignore
		"redis-cluster://127.0.0.1:7101,:7102",    // no host
		"redis-clusters://127.0.0.1:7101",         // unknown scheme
	} {
		if opt, err := Parse(uri); err == nil {
			t.Errorf("%s: accepted as %#v", uri, opt)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("redis-cluster://127.0.0.1:7101,127.0.0.1:7102")
	f.Add("redis-cluster://u:p@h:1/0")
	f.Add("redis://127.0.0.1:6379/0")
	f.Fuzz(func(t *testing.T, uri string) {
		opt, err := Parse(uri)
		if err != nil {
			return
		}
		if c, ok := opt.(*asynq.RedisClusterClientOpt); ok && len(c.Addrs) == 0 {
			t.Errorf("%q: a cluster without addresses", uri)
		}
	})
}
