package guanjia

import "time"

// TimerEarlyTolerance is how early a queued timer may fire and still be acted
// on: it absorbs clock differences between the queue and the process that
// handles the timer. Earlier than that, the handler refuses and the queue retries.
const TimerEarlyTolerance = 2 * time.Second
