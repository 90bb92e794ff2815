package dev.torii.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ColdStartTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void plateauIsTheLastQuartersMeanAndTheFigureTheEndOfTheFirstOfThreeStepsAtNinetyPercent() {
        ColdStart c = curve(300.0, 900.0, 2000.0, 3700.0, 2500.0, 3650.0, 3700.0, 3800.0, 4000.0, 3900.0, 4000.0,
                4100.0);
        // The last 3 of 12 steps: 4000, 3900... (3900 + 4000 + 4100) / 3.
        assertThat(c.plateau()).isEqualTo(4000.0);
        // 3700 at step 4 alone does not count: step 5 falls back; steps 6 to 8 reach 3600.
        assertThat(c.secondsToPlateau()).isEqualTo(6.0);
        assertThat(c.firstStep()).isEqualTo(300.0);
    }

    @Test
    void aServerWarmFromTheFirstSecondTakesOneSecond() {
        assertThat(curve(4000.0, 4100.0, 3950.0, 4000.0).secondsToPlateau()).isEqualTo(1.0);
    }

    @Test
    void stepsLeftShortOfThreeCountWhenEachReachesTheShare() {
        // Still climbing at the end: the last step is the plateau's quarter and reaches it.
        assertThat(curve(100.0, 200.0, 300.0, 400.0).secondsToPlateau()).isEqualTo(4.0);
    }

    @Test
    void noStepsGiveNoFigure() {
        ColdStart c = curve();
        assertThat(c.plateau()).isNaN();
        assertThat(c.secondsToPlateau()).isNaN();
    }

    private static ColdStart curve(Double... rates) {
        return new ColdStart("gateway-small", SECOND, List.of(rates), List.of(), Map.of(), 0);
    }
}
