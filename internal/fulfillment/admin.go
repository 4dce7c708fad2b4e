package fulfillment

import (
	"fmt"
	"time"

	"github.com/dbos-inc/dbos-transact-golang/dbos"
)

// Workflow is a workflow as `peakshop orders stuck` shows it.
type Workflow struct {
	OrderID   string    `json:"order_id"`
	Status    string    `json:"status"`
	Error     string    `json:"error,omitempty"`
	Queue     string    `json:"queue,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Stuck lists workflows that ended in error, and those still pending or
// queued after the deadline.
func (e *Engine) Stuck(deadline time.Duration, limit int) ([]Workflow, error) {
	var out []Workflow
	add := func(ws []dbos.WorkflowStatus) {
		for _, w := range ws {
			if len(out) >= limit {
				return
			}
			v := Workflow{OrderID: w.ID, Status: string(w.Status), Queue: w.QueueName, CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt}
			if w.Error != nil {
				v.Error = w.Error.Error()
			}
			out = append(out, v)
		}
	}
	failed, err := dbos.ListWorkflows(e.ctx, dbos.WithFilterName(workflowName), dbos.WithFilterLimit(limit),
		dbos.WithFilterStatus(dbos.WorkflowStatusError, dbos.WorkflowStatusCancelled, dbos.WorkflowStatusMaxRecoveryAttemptsExceeded))
	if err != nil {
		return nil, fmt.Errorf("fulfillment: list failed workflows: %w", err)
	}
	add(failed)
	late, err := dbos.ListWorkflows(e.ctx, dbos.WithFilterName(workflowName), dbos.WithFilterLimit(limit),
		dbos.WithFilterStatus(dbos.WorkflowStatusPending, dbos.WorkflowStatusEnqueued), dbos.WithFilterCreatedBefore(time.Now().Add(-deadline)))
	if err != nil {
		return nil, fmt.Errorf("fulfillment: list late workflows: %w", err)
	}
	add(late)
	return out, nil
}

// Resume retries an order's workflow from its last completed step.
func (e *Engine) Resume(orderID string) error {
	if _, err := dbos.ResumeWorkflow[Outcome](e.ctx, orderID); err != nil {
		return fmt.Errorf("fulfillment: resume %s: %w", orderID, err)
	}
	return nil
}

// Result waits for an order's workflow and returns its outcome.
func (e *Engine) Result(orderID string, timeout time.Duration) (Outcome, error) {
	h, err := dbos.RetrieveWorkflow[Outcome](e.ctx, orderID)
	if err != nil {
		return Outcome{}, fmt.Errorf("fulfillment: workflow %s: %w", orderID, err)
	}
	out, err := h.GetResult(dbos.WithHandleTimeout(timeout))
	if err != nil {
		return Outcome{}, fmt.Errorf("fulfillment: workflow %s: %w", orderID, err)
	}
	return out, nil
}
