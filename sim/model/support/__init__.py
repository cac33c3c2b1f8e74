"""Support options, one file each, behind the interface in ``base.py``."""

from sim.model.support.base import SupportChain, SupportOption
from sim.model.support.buying_service import Pros, Snap
from sim.model.support.clssa import Clssa
from sim.model.support.dcs import DirectCommercialSale
from sim.model.support.direct_exchange import DirectExchange
from sim.model.support.national_depot import NationalDepot
from sim.model.support.partnership import PartnershipOption
from sim.model.support.repair_and_return import RepairAndReturn
from sim.model.support.third_country import ThirdCountry
from sim.model.support.us_wholesale import UsWholesale

OPTIONS: dict[str, type[SupportOption]] = {
    cls.key: cls for cls in (RepairAndReturn, DirectExchange, Clssa, Pros, Snap, ThirdCountry,
                             DirectCommercialSale, NationalDepot)
}
OPTIONS[PartnershipOption.key] = PartnershipOption

__all__ = ["OPTIONS", "SupportChain", "SupportOption", "UsWholesale"]
