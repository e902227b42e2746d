package org.tensorbridge.torch;

/** The device types tensorbridge works with, by their c10::DeviceType codes. */
public enum DeviceType {
    CPU(0, "cpu"), CUDA(1, "cuda"), MPS(13, "mps"), META(14, "meta");

    private final int code;
    private final String torchName;

    DeviceType(int code, String torchName) {
        this.code = code;
        this.torchName = torchName;
    }

    public int code() {
        return code;
    }

    public String torchName() {
        return torchName;
    }

    static DeviceType fromCode(int code) {
        for (DeviceType type : values()) {
            if (type.code == code) {
                return type;
            }
        }
        throw new TorchException("libtorch returned a tensor on device type " + code + ", which tensorbridge does not map");
    }

    static DeviceType fromName(String name) {
        for (DeviceType type : values()) {
            if (type.torchName.equals(name)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown device type '" + name + "': expected cpu, cuda, mps or meta");
    }
}
