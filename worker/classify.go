package worker

import (
	"context"
	"time"

	"github.com/hibiken/asynq"
)

// TypeClassifyRetrain is the periodic retraining of the category suggester
// (智能分类) from the complaints closed since.
const TypeClassifyRetrain = "classify:retrain"

// ClassifyRetrainInterval is how often the suggester retrains.
const ClassifyRetrainInterval = 30 * time.Minute

// NewClassifyRetrainTask builds the periodic retraining task.
func NewClassifyRetrainTask() *asynq.Task { return asynq.NewTask(TypeClassifyRetrain, nil) }

// HandleClassifyRetrain retrains the model this process serves suggestions
// from; a process without one has nothing to do.
func (h *Handlers) HandleClassifyRetrain(ctx context.Context, _ *asynq.Task) error {
	if h.Classify == nil {
		return nil
	}
	return h.Classify.Rebuild(ctx)
}
