package worker_test

import (
	"context"
	"testing"

	"guanjia"
	"guanjia/classify"
	"guanjia/worker"
)

type retrainSource struct{ confirmed []guanjia.CategorizedText }

func (retrainSource) ListCategories(context.Context) ([]*guanjia.Category, error) {
	return []*guanjia.Category{{Code: "0101", Name: "井盖破损/缺失"}, {Code: "0102", Name: "路灯不亮"}}, nil
}

func (s *retrainSource) ConfirmedTexts(context.Context, int) ([]guanjia.CategorizedText, error) {
	return s.confirmed, nil
}

// The periodic job retrains the process's suggester from the orders closed
// since; a process without one does nothing.
func TestClassifyRetrain(t *testing.T) {
	ctx := context.Background()
	if err := (&worker.Handlers{}).HandleClassifyRetrain(ctx, worker.NewClassifyRetrainTask()); err != nil {
		t.Fatal(err)
	}
	src := &retrainSource{}
	svc := classify.NewService(src)
	h := &worker.Handlers{Classify: svc}
	if err := h.HandleClassifyRetrain(ctx, worker.NewClassifyRetrainTask()); err != nil {
		t.Fatal(err)
	}
	src.confirmed = []guanjia.CategorizedText{{Category: "0102", Text: "巷子里黑乎乎的"}}
	if got, _ := svc.Suggest(ctx, "巷子里黑乎乎的"); got[0].Code == "0102" {
		t.Fatal("the model learnt before the job ran")
	}
	if err := h.HandleClassifyRetrain(ctx, worker.NewClassifyRetrainTask()); err != nil {
		t.Fatal(err)
	}
	if got, _ := svc.Suggest(ctx, "巷子里黑乎乎的"); got[0].Code != "0102" {
		t.Errorf("after the job: %+v", got)
	}
}
