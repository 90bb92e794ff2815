package dev.torii.gateway.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RetryBudgetTest {

    @Test
    void retriesAreAShareOfRequestsPlusAReserve() {
        long now = 0;
        RetryBudget budget = new RetryBudget(0.2, 1, now);
        int allowed = 0;
        // The initial reserve (10), then one retry per five requests.
        for (int i = 0; i < 100; i++) {
            budget.deposit(now);
            if (budget.tryWithdraw(now)) {
                allowed++;
            }
        }
        assertThat(allowed).isBetween(28, 31);
    }

    @Test
    void aQuietUpstreamGetsItsMinimumBack() {
        RetryBudget budget = new RetryBudget(0.0, 2, 0);
        while (budget.tryWithdraw(0)) {
            // spend the reserve
        }
        assertThat(budget.tryWithdraw(0)).isFalse();
        assertThat(budget.tryWithdraw(1_000_000_000L)).isTrue();
        assertThat(budget.tryWithdraw(1_000_000_000L)).isTrue();
        assertThat(budget.tryWithdraw(1_000_000_000L)).isFalse();
    }
}
