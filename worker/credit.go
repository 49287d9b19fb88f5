package worker

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"guanjia/credit"
)

// Task types of 诚信海口.
const (
	TypeCreditImport = "credit:import" // write one queued department batch
	TypeCreditSweep  = "credit:sweep"  // periodic: expire entries whose publication period ended, requeue lost imports
)

// CreditSweepInterval is how often entries whose period ended are expired.
// Periods end at midnight; a few minutes late is fine, an hour is not.
const CreditSweepInterval = 10 * time.Minute

// CreditImportMaxRetry is how often a failed import is tried again before its batch shows as failed.
const CreditImportMaxRetry = 3

// CreditImportPayload names one import batch.
type CreditImportPayload struct {
	BatchID int64 `json:"batch_id"`
}

// NewCreditImportTask builds the import task of a batch (TaskID
// credit:import:<id>), so queueing it twice runs it once.
func NewCreditImportTask(batchID int64) (*asynq.Task, []asynq.Option) {
	b, _ := json.Marshal(CreditImportPayload{BatchID: batchID})
	return asynq.NewTask(TypeCreditImport, b), []asynq.Option{
		asynq.TaskID(fmt.Sprintf("credit:import:%d", batchID)), asynq.Queue(QueueDefault),
		asynq.MaxRetry(CreditImportMaxRetry), asynq.Timeout(credit.ImportTimeout),
		asynq.Retention(24 * time.Hour), // keeps the TaskID taken after success: a late duplicate is refused
	}
}

// NewCreditSweepTask builds the periodic sweep of public credit.
func NewCreditSweepTask() *asynq.Task { return asynq.NewTask(TypeCreditSweep, nil) }

// EnqueueImport queues the import job of a batch; it implements credit.Jobs.
func (s *Scheduler) EnqueueImport(ctx context.Context, batchID int64) error {
	task, opts := NewCreditImportTask(batchID)
	return s.enqueue(ctx, task, opts)
}

var _ credit.Jobs = (*Scheduler)(nil)

// HandleCreditImport writes a queued batch. A failure is retried; after the
// last attempt the batch is marked failed (nothing of it was imported).
func (h *Handlers) HandleCreditImport(ctx context.Context, t *asynq.Task) error {
	var p CreditImportPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.BatchID == 0 {
		return fmt.Errorf("worker: bad credit import payload: %v: %w", err, asynq.SkipRetry)
	}
	err := h.Credit.RunImport(ctx, p.BatchID)
	if err == nil {
		return nil
	}
	if retried, _ := asynq.GetRetryCount(ctx); retried >= CreditImportMaxRetry {
		h.Credit.FailImport(ctx, p.BatchID, err)
		return fmt.Errorf("worker: credit import %d: %v: %w", p.BatchID, err, asynq.SkipRetry)
	}
	return err
}

// HandleCreditSweep runs the periodic expiry of public credit.
func (h *Handlers) HandleCreditSweep(ctx context.Context, _ *asynq.Task) error {
	return h.Credit.Sweep(ctx)
}

// CreditCache keeps public credit's hot lookups in Redis; it implements credit.Cache.
// A lease is a value of its own under the key, leasePrefix and a random
// token, which Delete removes like any value.
type CreditCache struct {
	rdb    redis.UniversalClient
	prefix string
}

// NewCreditCache stores keys under prefix (e.g. "guanjia:").
func NewCreditCache(rdb redis.UniversalClient, prefix string) *CreditCache {
	return &CreditCache{rdb: rdb, prefix: prefix}
}

var _ credit.Cache = (*CreditCache)(nil)

const (
	leasePrefix = "\x00lease:" // no JSON value starts with a NUL
	// leaseTTL is how long a lookup may take to fill its key; one that died
	// keeps others from caching the key this long (they read the database).
	leaseTTL = 5 * time.Second
)

// getOrLease answers the key's value, or leases the missing key to ARGV[1].
var getOrLease = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v then return v end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false`)

// fillLeased sets the key to ARGV[2] if it still holds the lease ARGV[1].
var fillLeased = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
return 0`)

func (c *CreditCache) Get(ctx context.Context, key string) ([]byte, bool, error) {
	b, err := c.rdb.Get(ctx, c.prefix+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, fmt.Errorf("worker: credit cache get: %w", err)
	}
	return b, true, nil
}

func (c *CreditCache) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := c.rdb.Set(ctx, c.prefix+key, value, ttl).Err(); err != nil {
		return fmt.Errorf("worker: credit cache set: %w", err)
	}
	return nil
}

func (c *CreditCache) GetOrLease(ctx context.Context, key string) ([]byte, string, error) {
	lease := leasePrefix + rand.Text()
	v, err := getOrLease.Run(ctx, c.rdb, []string{c.prefix + key}, lease, leaseTTL.Milliseconds()).Text()
	switch {
	case errors.Is(err, redis.Nil):
		return nil, lease, nil
	case err != nil:
		return nil, "", fmt.Errorf("worker: credit cache get: %w", err)
	case strings.HasPrefix(v, leasePrefix):
		return nil, "", nil // another lookup is filling it
	}
	return []byte(v), "", nil
}

func (c *CreditCache) Fill(ctx context.Context, key, lease string, value []byte, ttl time.Duration) error {
	if err := fillLeased.Run(ctx, c.rdb, []string{c.prefix + key}, lease, value, ttl.Milliseconds()).Err(); err != nil {
		return fmt.Errorf("worker: credit cache fill: %w", err)
	}
	return nil
}

// Delete removes keys in one round trip. Keys of one call may live on
// different cluster slots, so a pipeline of DELs rather than one DEL.
func (c *CreditCache) Delete(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	_, err := c.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, k := range keys {
			p.Del(ctx, c.prefix+k)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("worker: credit cache delete: %w", err)
	}
	return nil
}
