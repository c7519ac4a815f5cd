// Read decode of the constant identification and configuration registers
// (ID, VERSION, CONFIG_*). Every value and field position comes from
// acceltran_pkg, which is generated from spec/acceltran.json; the register
// slave muxes this block's data in when hit_o is set.
module acceltran_id_regs (
  input  logic [acceltran_pkg::RegAddrWidth-1:0] addr_i,
  output logic [31:0]                            rdata_o,
  output logic                                   hit_o
);

  // Places value in bits [lsb +: width]; value bits above width are dropped
  // (the generator has checked that every configured value fits).
  function automatic logic [31:0] put_field(input int unsigned value, input int unsigned lsb,
                                            input int unsigned width);
    logic [31:0] mask;
    mask = (width >= 32) ? 32'hffff_ffff : ((32'd1 << width) - 32'd1);
    put_field = (value & mask) << lsb;
  endfunction

  always_comb begin
    rdata_o = '0;
    hit_o   = 1'b1;
    case (addr_i)
      acceltran_pkg::RegIdOffset: begin
        rdata_o = put_field(acceltran_pkg::DeviceId, acceltran_pkg::RegIdMagicLsb,
                            acceltran_pkg::RegIdMagicWidth);
      end
      acceltran_pkg::RegVersionOffset: begin
        rdata_o = put_field(acceltran_pkg::VersionPatch, acceltran_pkg::RegVersionPatchLsb,
                            acceltran_pkg::RegVersionPatchWidth)
                | put_field(acceltran_pkg::VersionMinor, acceltran_pkg::RegVersionMinorLsb,
                            acceltran_pkg::RegVersionMinorWidth)
                | put_field(acceltran_pkg::VersionMajor, acceltran_pkg::RegVersionMajorLsb,
                            acceltran_pkg::RegVersionMajorWidth);
      end
      acceltran_pkg::RegConfigArrayOffset: begin
        rdata_o = put_field(acceltran_pkg::NumPes, acceltran_pkg::RegConfigArrayPesLsb,
                            acceltran_pkg::RegConfigArrayPesWidth)
                | put_field(acceltran_pkg::NumLanes, acceltran_pkg::RegConfigArrayLanesLsb,
                            acceltran_pkg::RegConfigArrayLanesWidth)
                | put_field(acceltran_pkg::MacsPerLane, acceltran_pkg::RegConfigArrayMacsLsb,
                            acceltran_pkg::RegConfigArrayMacsWidth);
      end
      acceltran_pkg::RegConfigUnitsOffset: begin
        rdata_o = put_field(acceltran_pkg::TileSize, acceltran_pkg::RegConfigUnitsTileLsb,
                            acceltran_pkg::RegConfigUnitsTileWidth)
                | put_field(acceltran_pkg::NumSoftmaxUnits, acceltran_pkg::RegConfigUnitsSoftmaxLsb,
                            acceltran_pkg::RegConfigUnitsSoftmaxWidth)
                | put_field(acceltran_pkg::NumLnUnits, acceltran_pkg::RegConfigUnitsLayernormLsb,
                            acceltran_pkg::RegConfigUnitsLayernormWidth);
      end
      acceltran_pkg::RegConfigActBufOffset: begin
        rdata_o = put_field(acceltran_pkg::ActBufKib, acceltran_pkg::RegConfigActBufKibLsb,
                            acceltran_pkg::RegConfigActBufKibWidth);
      end
      acceltran_pkg::RegConfigWgtBufOffset: begin
        rdata_o = put_field(acceltran_pkg::WgtBufKib, acceltran_pkg::RegConfigWgtBufKibLsb,
                            acceltran_pkg::RegConfigWgtBufKibWidth);
      end
      acceltran_pkg::RegConfigMaskBufOffset: begin
        rdata_o = put_field(acceltran_pkg::MaskBufKib, acceltran_pkg::RegConfigMaskBufKibLsb,
                            acceltran_pkg::RegConfigMaskBufKibWidth);
      end
      acceltran_pkg::RegConfigMemOffset: begin
        rdata_o = put_field(acceltran_pkg::MemBwMbps, acceltran_pkg::RegConfigMemBwMbpsLsb,
                            acceltran_pkg::RegConfigMemBwMbpsWidth)
                | put_field(acceltran_pkg::MemLatencyCycles, acceltran_pkg::RegConfigMemLatCyclesLsb,
                            acceltran_pkg::RegConfigMemLatCyclesWidth);
      end
      acceltran_pkg::RegConfigLimitsOffset: begin
        rdata_o = put_field(acceltran_pkg::MaxSeqLen, acceltran_pkg::RegConfigLimitsMaxSeqLsb,
                            acceltran_pkg::RegConfigLimitsMaxSeqWidth)
                | put_field(acceltran_pkg::MaxHidden, acceltran_pkg::RegConfigLimitsMaxHiddenLsb,
                            acceltran_pkg::RegConfigLimitsMaxHiddenWidth);
      end
      acceltran_pkg::RegConfigClockOffset: begin
        rdata_o = put_field(acceltran_pkg::ClockMhz, acceltran_pkg::RegConfigClockMhzLsb,
                            acceltran_pkg::RegConfigClockMhzWidth);
      end
      acceltran_pkg::RegConfigBusOffset: begin
        rdata_o = put_field(acceltran_pkg::BusBytes, acceltran_pkg::RegConfigBusBytesLsb,
                            acceltran_pkg::RegConfigBusBytesWidth)
                | put_field(acceltran_pkg::NumWindows, acceltran_pkg::RegConfigBusWindowsLsb,
                            acceltran_pkg::RegConfigBusWindowsWidth);
      end
      default: begin
        hit_o = 1'b0;
      end
    endcase
  end

endmodule
