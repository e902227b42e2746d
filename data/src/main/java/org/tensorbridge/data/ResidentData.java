package org.tensorbridge.data;

import org.tensorbridge.bridge.Bridge;
import org.tensorbridge.core.Scope;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.torch.Device;
import org.tensorbridge.torch.DeviceType;
import org.tensorbridge.torch.Tensor;

/**
 * A dataset of arrays kept whole on the loader's device: shared without a copy on the CPU (copied once when
 * the memory is read-only, e.g. a read-only mapping), copied once to a CUDA device.
 */
final class ResidentData implements AutoCloseable {
    final Tensor[] fields;
    final Device device;

    ResidentData(ArrayDataset dataset, Device device) {
        this.device = device;
        this.fields = new Tensor[dataset.fields().size()];
        try (Scope scope = Scope.open()) {
            for (int f = 0; f < fields.length; f++) {
                NDArray array = dataset.array(f);
                Tensor host = array.isReadOnly() ? Bridge.copyFromArray(array) : Bridge.fromArray(array);
                fields[f] = scope.detach(device.type() == DeviceType.CUDA ? host.to(device) : host);
            }
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    @Override
    public void close() {
        for (Tensor field : fields) {
            if (field != null) {
                field.close();
            }
        }
    }
}
