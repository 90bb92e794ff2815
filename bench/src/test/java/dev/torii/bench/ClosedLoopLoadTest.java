package dev.torii.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClosedLoopLoadTest {

    @Test
    void warmupGoesOnWhileTheLastStepsBeatTheOnesBefore() {
        // The gateway's first 30 s on two cores, with the JIT still compiling.
        assertThat(ClosedLoopLoad.climbing(List.of(74.0, 178.0, 416.0, 769.0, 1049.0, 1334.0))).isTrue();
        // A single noisy dip does not end a warm-up that is still climbing.
        assertThat(ClosedLoopLoad.climbing(List.of(4034.0, 4558.0, 4223.0, 5138.0, 3518.0, 5969.0))).isTrue();
    }

    @Test
    void warmupEndsOnAPlateauAndNeedsEnoughStepsToTell() {
        assertThat(ClosedLoopLoad.climbing(List.of(6916.0, 6895.0, 6623.0, 5645.0, 6870.0, 7095.0))).isFalse();
        assertThat(ClosedLoopLoad.climbing(List.of(7000.0, 7000.0, 7000.0, 7000.0, 7000.0))).isTrue();
    }

    @Test
    void warmupGoesOnWhileTheCompilersWorkEvenIfThroughputIsFlat() {
        assertThat(ClosedLoopLoad.compiling(List.of(0.4, 0.3, 0.25, 0.2))).isTrue();
        assertThat(ClosedLoopLoad.compiling(List.of(0.4, 0.3, 0.05, 0.03, 0.02))).isFalse();
        assertThat(ClosedLoopLoad.compiling(List.of())).isFalse();
    }
}
