package dynamostore

import (
	"context"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// SetClock makes s stamp messages and judge expiry with now(); call it
// before s is used.
func SetClock(s *Store, now func() time.Time) { s.now = now }

// Client returns the client s uses, for tests that look at the table.
func Client(s *Store) *dynamodb.Client { return s.client }

// Table returns the name of s's table.
func Table(s *Store) string { return s.table }

// StartPurgerWith starts s's purge worker with purge in place of s.Purge.
func StartPurgerWith(s *Store, logger *slog.Logger, timeout time.Duration, purge func(context.Context) (int, error)) *Purger {
	return s.startPurger(logger, timeout, purge)
}

// BeforePurgeDeletes makes f run between Purge's reading a page of keys
// and deleting them; call it before s is used.
func BeforePurgeDeletes(s *Store, f func()) { s.beforePurgeDeletes = f }
