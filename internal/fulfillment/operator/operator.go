// Package operator owns the operator's view of the fulfillment workflows
// behind `peakshop orders stuck|resume`. It talks to DBOS's system database
// as a client (dbos.NewClient) rather than launching an engine: a one-shot
// command must not start executing, recovering or dequeuing workflows
// itself. A resumed workflow is enqueued and run by the workers.
package operator

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/dbos-inc/dbos-transact-golang/dbos"
	// DBOS's SQLite support, for the embedded default's workflows.db.
	_ "github.com/dbos-inc/dbos-transact-golang/dbos/driver/sqlite"

	"github.com/peakshop/peakshop/internal/fulfillment"
)

// Operator lists and resumes workflows.
type Operator struct {
	client dbos.Client
}

// Open connects to DBOS's system database: "sqlite:PATH" or a postgres://
// URL with the schema the engine uses.
func Open(ctx context.Context, systemDB, schema string, logger *slog.Logger) (*Operator, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	c, err := dbos.NewClient(ctx, dbos.ClientConfig{DatabaseURL: systemDB, DatabaseSchema: schema, AppName: "peakshop",
		Logger: logger.With("component", "dbos-client"), SystemDBStartupTimeout: 30 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("operator: connect to workflows: %w", err)
	}
	return &Operator{client: c}, nil
}

// Close disconnects.
func (o *Operator) Close() error {
	if err := o.client.Shutdown(o.client, 5*time.Second); err != nil {
		return fmt.Errorf("operator: close: %w", err)
	}
	return nil
}

// Stuck lists workflows that ended in error or were cancelled, then those
// still pending or queued longer than deadline, up to limit in all.
func (o *Operator) Stuck(deadline time.Duration, limit int) ([]fulfillment.Workflow, error) {
	out := []fulfillment.Workflow{}
	add := func(ws []dbos.WorkflowStatus) {
		for _, w := range ws {
			if len(out) >= limit {
				return
			}
			v := fulfillment.Workflow{OrderID: w.ID, Status: string(w.Status), Queue: w.QueueName, CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt}
			if w.Error != nil {
				v.Error = w.Error.Error()
			}
			out = append(out, v)
		}
	}
	failed, err := dbos.ListWorkflows(o.client, dbos.WithFilterLimit(limit),
		dbos.WithFilterStatus(dbos.WorkflowStatusError, dbos.WorkflowStatusCancelled, dbos.WorkflowStatusMaxRecoveryAttemptsExceeded))
	if err != nil {
		return nil, fmt.Errorf("operator: list failed workflows: %w", err)
	}
	add(failed)
	late, err := dbos.ListWorkflows(o.client, dbos.WithFilterLimit(limit),
		dbos.WithFilterStatus(dbos.WorkflowStatusPending, dbos.WorkflowStatusEnqueued), dbos.WithFilterCreatedBefore(time.Now().Add(-deadline)))
	if err != nil {
		return nil, fmt.Errorf("operator: list late workflows: %w", err)
	}
	add(late)
	return out, nil
}

// Resume re-enqueues an order's workflow; a worker continues it from its
// last completed step.
func (o *Operator) Resume(orderID string) error {
	if _, err := dbos.ResumeWorkflow[any](o.client, orderID); err != nil {
		return fmt.Errorf("operator: resume %s: %w", orderID, err)
	}
	return nil
}
