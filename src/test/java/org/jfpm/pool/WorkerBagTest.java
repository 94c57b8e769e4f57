package org.jfpm.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jfpm.pool.PoolFixture.request;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jfpm.pool.PoolFixture.await;
import static org.jfpm.pool.PoolFixture.awaitParked;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pool's hand-off of workers to requests, on stub workers: the FIFO queue, the idle
 * stack, jfpm.queue_limit and jfpm.queue_timeout, and what a stop or reload does to the
 * requests still waiting. Each waiting request runs on its own thread; the test waits
 * for it to be in the queue before it gives a worker back.
 */
@Timeout(10)
class WorkerBagTest {
    @TempDir
    Path dir;


    @Test
    void aReturningWorkerGoesStraightToTheOldestWaiterNotToTheIdleStack() throws Exception {
        try (PoolFixture f = new PoolFixture(dir, "pm = static\npm.max_children = 2").started()) {
            Worker w1 = f.pool.acquire();
            Worker w2 = f.pool.acquire();
            CompletableFuture<Worker> first = request(f.pool);
            await(() -> f.pool.queueLength() == 1);
            CompletableFuture<Worker> second = request(f.pool);
            await(() -> f.pool.queueLength() == 2);

            f.pool.release(w2);
            assertThat(first.get()).as("the oldest waiter is served first").isSameAs(w2);
            assertThat(f.pool.idleCount()).as("handed over, never idle").isZero();
            assertThat(f.pool.queueLength()).isEqualTo(1);
            assertThat(second).isNotDone();

            f.pool.release(w1);
            assertThat(second.get()).isSameAs(w1);
            assertThat(f.pool.queueLength()).isZero();
            assertThat(f.pool.scoreboard().maxListenQueue()).isEqualTo(2);
            assertThat(f.pool.scoreboard().maxActive()).isEqualTo(2);
            assertThat(f.pool.scoreboard().queueWait().read().count()).as("every acquire observed").isEqualTo(4);
        }
    }

    @Test
    void theMostRecentlyReturnedIdleWorkerServesNext() throws Exception {
        try (PoolFixture f = new PoolFixture(dir, "pm = static\npm.max_children = 3").started()) {
            Worker a = f.pool.acquire();
            Worker b = f.pool.acquire();
            Worker c = f.pool.acquire();
            f.pool.release(a);
            f.pool.release(c);
            f.pool.release(b);
            assertThat(f.pool.idleCount()).isEqualTo(3);
            assertThat(f.pool.acquire()).isSameAs(b);
            assertThat(f.pool.acquire()).isSameAs(c);
            assertThat(f.pool.acquire()).isSameAs(a);
            assertThat(f.pool.activeCount()).isEqualTo(3);
        }
    }

    @Test
    void queueLimitRefusesAtOnceTheRequestThatWouldMakeTheQueueLonger() throws Exception {
        try (PoolFixture f = new PoolFixture(dir, "pm = static\npm.max_children = 1\njfpm.queue_limit = 1")
                .started()) {
            Worker only = f.pool.acquire();
            CompletableFuture<Worker> queued = request(f.pool);
            await(() -> f.pool.queueLength() == 1);

            String refusal = "[pool www] server reached pm.max_children setting (1), 1 requests queued "
                    + "(jfpm.queue_limit): answered 503";
            assertThatThrownBy(f.pool::acquire).isInstanceOf(QueueRefusal.class).hasMessage(refusal);
            assertThatThrownBy(f.pool::acquire).isInstanceOf(QueueRefusal.class);
            assertThat(f.pool.scoreboard().queueRejected()).isEqualTo(2);
            assertThat(f.lines("answered 503")).as("said once a second at most")
                    .containsExactly("WARNING: " + refusal);
            f.now.addAndGet(1_000_000_000L);
            assertThatThrownBy(f.pool::acquire).isInstanceOf(QueueRefusal.class);
            assertThat(f.lines("answered 503")).hasSize(2);

            CompletableFuture<Worker> again = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    again.complete(f.pool.acquireAgain());
                } catch (Throwable e) {
                    again.completeExceptionally(e);
                }
            });
            await(() -> f.pool.queueLength() == 2); // a request that had its turn is not bounded

            f.pool.release(only);
            assertThat(queued.get()).isSameAs(only);
            f.pool.release(only);
            assertThat(again.get()).isSameAs(only);
        }
    }

    @Test
    void queueTimeoutRefusesTheRequestOnlyOnceItsTimeHasPassed() throws Exception {
        try (PoolFixture f = new PoolFixture(dir, "pm = static\npm.max_children = 1\njfpm.queue_timeout = 5s")
                .started()) {
            Worker only = f.pool.acquire();
            Thread[] waiter = new Thread[1];
            CompletableFuture<Worker> served = new CompletableFuture<>();
            waiter[0] = Thread.ofVirtual().start(() -> {
                try {
                    served.complete(f.pool.acquire());
                } catch (Throwable e) {
                    served.completeExceptionally(e);
                }
            });
            await(() -> f.pool.queueLength() == 1);
            f.now.addAndGet(5_000_000_000L - 1);
            LockSupport.unpark(waiter[0]); // it looks at the clock again: one nanosecond is left
            assertThat(f.pool.oldestWaitMicros()).isEqualTo(4_999_999);
            f.pool.release(only);
            assertThat(served.get()).as("a worker before the time ran out").isSameAs(only);
            assertThat(f.pool.scoreboard().queueTimeouts()).isZero();

            CompletableFuture<Worker> late = new CompletableFuture<>();
            Thread t = Thread.ofVirtual().start(() -> {
                try {
                    late.complete(f.pool.acquire());
                } catch (Throwable e) {
                    late.completeExceptionally(e);
                }
            });
            await(() -> f.pool.queueLength() == 1);
            awaitParked(t);
            f.now.addAndGet(5_000_000_000L);
            LockSupport.unpark(t);
            assertThatThrownBy(late::join).hasCauseInstanceOf(QueueRefusal.class).cause()
                    .hasMessage("[pool www] server reached pm.max_children setting (1), request queued for 5s: "
                            + "answered 503");
            assertThat(f.pool.queueLength()).isZero();
            assertThat(f.pool.scoreboard().queueTimeouts()).isEqualTo(1);
        }
    }

    @Test
    void aStopWakesTheWaitingRequestsWithoutAWorker() throws Exception {
        try (PoolFixture f = new PoolFixture(dir, "pm = static\npm.max_children = 1").started()) {
            Worker only = f.pool.acquire();
            CompletableFuture<Worker> waiting = request(f.pool);
            await(() -> f.pool.queueLength() == 1);
            f.pool.stopAccepting();
            assertThat(waiting.get()).isNull();
            assertThat(f.pool.queueLength()).isZero();
            assertThat(f.pool.acquire()).as("a stopped pool without successor hands out nothing").isNull();
            f.pool.release(only);
            assertThat(f.child(only).signals).as("its request done, the worker leaves").containsExactly(15);
        }
    }

    @Test
    void aReloadPassesTheWaitingRequestsToTheSuccessor() throws Exception {
        try (PoolFixture old = new PoolFixture(dir, "pm = static\npm.max_children = 1").started()) {
            Worker busy = old.pool.acquire();
            CompletableFuture<Worker> waiting = request(old.pool);
            await(() -> old.pool.queueLength() == 1);
            try (PoolFixture next = new PoolFixture(dir,
                    "pm = static\npm.max_children = 1").started()) {
                old.pool.retire(next.pool);
                Worker fresh = waiting.get();
                assertThat(fresh.pool()).isSameAs(next.pool);
                old.pool.release(fresh); // given back through the old pool: it goes home
                assertThat(next.pool.idleCount()).isEqualTo(1);
                old.pool.release(busy);
                assertThat(old.child(busy).signals).containsExactly(15);
            }
        }
    }

    @Test
    void anInterruptedRequestLeavesTheQueue() throws Exception {
        try (PoolFixture f = new PoolFixture(dir, "pm = static\npm.max_children = 1").started()) {
            Worker only = f.pool.acquire();
            CompletableFuture<Worker> waiting = new CompletableFuture<>();
            Thread t = Thread.ofVirtual().start(() -> {
                try {
                    waiting.complete(f.pool.acquire());
                } catch (Throwable e) {
                    waiting.completeExceptionally(e);
                }
            });
            await(() -> f.pool.queueLength() == 1);
            t.interrupt();
            assertThatThrownBy(waiting::join).hasCauseInstanceOf(InterruptedException.class);
            assertThat(f.pool.queueLength()).isZero();
            f.pool.release(only);
            assertThat(f.pool.idleCount()).isEqualTo(1);
        }
    }
}
