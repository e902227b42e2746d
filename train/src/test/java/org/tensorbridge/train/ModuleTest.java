package org.tensorbridge.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.tensorbridge.core.DType;
import org.tensorbridge.core.Scope;
import org.tensorbridge.nn.Activation;
import org.tensorbridge.nn.BatchNorm;
import org.tensorbridge.nn.Conv2d;
import org.tensorbridge.nn.Dropout;
import org.tensorbridge.nn.F;
import org.tensorbridge.nn.Linear;
import org.tensorbridge.nn.Sequential;
import org.tensorbridge.nn.TransformerEncoderLayer;
import org.tensorbridge.optim.Adam;
import org.tensorbridge.optim.LRScheduler;
import org.tensorbridge.optim.Optimizer;
import org.tensorbridge.testkit.ScopePerTest;
import org.tensorbridge.torch.Device;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.Torch;

/** The module contract: names, modes, conversion, freezing, ownership; optimizer and scheduler resume. */
@ExtendWith(ScopePerTest.class)
class ModuleTest {
    @Test
    void keysAreIdenticalToPyTorchs() {
        try (Sequential m = new Sequential(new Conv2d(1, 2, 3), BatchNorm.batchNorm2d(2), Activation.relu());
             TransformerEncoderLayer enc = new TransformerEncoderLayer(8, 2)) {
            assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                    "1.num_batches_tracked"), List.copyOf(m.stateDict().keySet()));
            assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias"), List.copyOf(m.namedParameters().keySet()));
            assertEquals(List.of("self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight",
                    "self_attn.out_proj.bias", "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias",
                    "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias"), List.copyOf(enc.stateDict().keySet()));
            assertArrayEquals(new long[] {2048, 8}, enc.namedParameters().get("linear1.weight").shape());
        }
    }

    @Test
    void defaultInitialisationHasPyTorchsBounds() {
        Torch.manualSeed(0);
        try (Linear l = new Linear(400, 300)) {
            double bound = 1 / Math.sqrt(400);
            assertTrue(l.weight().abs().max().item() <= bound);
            assertTrue(l.weight().abs().max().item() > 0.95 * bound);
            assertTrue(l.bias().abs().max().item() <= bound);
        }
    }

    @Test
    void trainEvalReachChildrenAndDropoutFollowsThem() {
        try (Sequential m = new Sequential(new Linear(4, 4), new Dropout(0.5))) {
            m.eval();
            assertFalse(m.get(1).isTraining());
            Tensor x = Tensor.ones(100, 4);
            Tensor y = m.get(1).forward(x);
            assertTrue(y.equal(x));
            m.train();
            Tensor d = m.get(1).forward(x);
            double zeros = d.eq(0.0).to(DType.FLOAT32).mean().item();
            assertTrue(zeros > 0.3 && zeros < 0.7, "about half dropped: " + zeros);
            assertTrue(d.eq(0.0).add(d.eq(2.0).to(DType.BOOL).to(DType.INT64)).to(DType.INT64).sum().itemLong() == 400,
                    "the rest scaled by 1/(1-p)");
        }
    }

    @Test
    void toDtypeConvertsFloatingTensorsAndKeepsIntegerBuffers() {
        try (Sequential m = new Sequential(new Linear(3, 2), BatchNorm.batchNorm1d(2))) {
            m.to(DType.FLOAT64).to(Device.CPU);
            assertEquals(DType.FLOAT64, m.namedParameters().get("0.weight").dtype());
            assertTrue(m.namedParameters().get("0.weight").requiresGrad());
            assertTrue(m.namedParameters().get("0.weight").isLeaf());
            assertEquals(DType.INT64, m.namedBuffers().get("1.num_batches_tracked").dtype());
            assertEquals(DType.FLOAT64, m.forward(Tensor.randn(4, 3).to(DType.FLOAT64)).dtype());
        }
    }

    @Test
    void freezeZeroGradAndClose() {
        Sequential m = new Sequential(new Linear(3, 2));
        F.mseLoss(m.forward(Tensor.randn(4, 3)), Tensor.zeros(4, 2)).backward();
        assertTrue(m.namedParameters().get("0.weight").grad() != null);
        m.zeroGrad();
        assertNull(m.namedParameters().get("0.weight").grad());
        m.freeze();
        assertFalse(m.namedParameters().get("0.bias").requiresGrad());
        m.unfreeze();
        Tensor w = m.namedParameters().get("0.weight");
        m.close();
        assertTrue(w.isClosed());
        assertThrows(IllegalStateException.class, m::stateDict);
    }

    @Test
    void aPerStepScopeNeverClosesParameters() {
        try (Linear l = new Linear(3, 2)) {
            try (Scope s = Scope.open()) {
                l.forward(Tensor.randn(1, 3)).sum().backward();
            }
            assertFalse(l.weight().isClosed());
        }
    }

    /** Saving the optimizer and scheduler mid-run and resuming gives the uninterrupted run's parameters. */
    @Test
    void optimizerAndSchedulerResumeFromTheirStateDicts() {
        Torch.manualSeed(4);
        Tensor x = Tensor.randn(16, 5), y = Tensor.randn(16, 2);
        try (Linear a = new Linear(5, 2); Linear b = new Linear(5, 2)) {
            b.loadStateDict(a.stateDict(), true);
            Adam optA = Adam.adamW(a.parameters(), 0.05);
            LRScheduler schedA = LRScheduler.oneCycleLR(optA, 0.1, 10);
            for (int i = 0; i < 10; i++) {
                step(a, optA, schedA, x, y);
            }
            Adam optB = Adam.adamW(b.parameters(), 0.05);
            LRScheduler schedB = LRScheduler.oneCycleLR(optB, 0.1, 10);
            for (int i = 0; i < 4; i++) {
                step(b, optB, schedB, x, y);
            }
            Map<String, Object> optState = optB.stateDict();
            Map<String, Object> schedState = schedB.stateDict();
            optB.close();
            Adam optC = Adam.adamW(b.parameters(), 0.05);
            LRScheduler schedC = LRScheduler.oneCycleLR(optC, 0.1, 10);
            optC.loadStateDict(optState);
            schedC.loadStateDict(schedState);
            for (int i = 4; i < 10; i++) {
                step(b, optC, schedC, x, y);
            }
            assertTrue(a.weight().equal(b.weight()));
            assertTrue(a.bias().equal(b.bias()));
            optA.close();
            optC.close();
        }
    }

    private static void step(Linear m, Optimizer opt, LRScheduler sched, Tensor x, Tensor y) {
        try (Scope s = Scope.open()) {
            opt.zeroGrad();
            F.mseLoss(m.forward(x), y).backward();
            opt.step();
            sched.step();
        }
    }
}
